package io.rhid.agent.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * A two-namespace BGP lab for integration tests: a {@code host} namespace running the anycast
 * host's BIRD (configured as DESIGN.md tells operators, including rhid's include file) and a
 * {@code router} namespace running an eBGP peer that installs everything it learns into its kernel
 * table, the ground truth tests assert on. The namespaces are joined by a veth pair:
 * host 10.255.0.1/30, 2001:db8:ffff::1/64 (AS 65000) and router 10.255.0.2/30, 2001:db8:ffff::2/64
 * (AS 65001).
 *
 * <p>Meant to be used by one test thread; {@link #close()} is idempotent and may also run from the
 * JVM shutdown hook. Every wait is bounded. {@code close()} stops every process the lab started (by
 * PID) and deletes both namespaces, which removes the veth pair; it leaves {@link #workDir()} with
 * configs, sockets and logs for inspection.
 */
public final class NetnsLab implements AutoCloseable {

    public static final String HOST_ADDRESS_V4 = "10.255.0.1";
    public static final String ROUTER_ADDRESS_V4 = "10.255.0.2";
    public static final String HOST_ADDRESS_V6 = "2001:db8:ffff::1";
    public static final String ROUTER_ADDRESS_V6 = "2001:db8:ffff::2";
    public static final long HOST_ASN = 65000;
    public static final long ROUTER_ASN = 65001;
    /** The BGP protocol names in the two bird.conf files. */
    public static final String HOST_BGP_PROTOCOL = "upstream";
    public static final String ROUTER_BGP_PROTOCOL = "host";

    private static final String SKIP_PREFIX = "SKIPPED rhid BIRD integration tests: ";
    private static final String FRR_SKIP_PREFIX = "SKIPPED rhid FRR integration tests: ";
    /**
     * rhid + this run's random token + role (h host, r router, p permission probe) + sequence
     * number. The token is the run's marker: a run holds a lock on {@code LOCK_DIR/TOKEN.lock}
     * while it lives, so stale cleanup can tell a dead run's namespaces from a live one's and never
     * touches a name without such a lock file (someone else's namespace).
     */
    private static final Pattern LAB_NETNS = Pattern.compile("rhid([0-9a-f]{8})([hrp])(\\d+)");
    private static final Path LOCK_DIR = Path.of(System.getProperty("java.io.tmpdir"), "rhid-netnslab");
    private static final String RUN_TOKEN = String.format(Locale.ROOT, "%08x", new java.security.SecureRandom().nextInt());
    private static java.nio.channels.FileChannel runLock; // guarded by NetnsLab.class; held until the JVM exits
    private static final Pattern KERNEL_DST = Pattern.compile("\"dst\":\"([^\"]+)\"");
    private static final Pattern BIRD_PAIR = Pattern.compile("\\(([^)]*)\\)");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DAEMON_START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);
    private static final int MAX_SOCKET_PATH = 100; // sun_path is 108 bytes including the NUL
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final ExecutorService OUTPUT_READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "netns-lab-output");
        t.setDaemon(true);
        return t;
    });
    private static Availability availability; // guarded by NetnsLab.class

    private final Tools tools;
    private final Path workDir;
    private final String hostNs;
    private final String routerNs;
    private final Path hostConf;
    private final Path routerConf;
    private final Path includeFile;
    private final Path hostSocket;
    private final Path routerSocket;
    private final Path hostPidFile;
    private final Path routerPidFile;
    private final Path hostBirdLog;
    private final Path routerBirdLog;
    private final Path hostBirdOut;
    private final Path routerBirdOut;
    private final String hostConfText;
    private final Setup setup;
    private final List<Process> hostProcesses = new CopyOnWriteArrayList<>();
    private final List<LabWitness> witnesses = new CopyOnWriteArrayList<>();
    private RouteWatch routerWatch; // guarded by this; started by the first route wait, closed with the lab
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;
    private volatile Process hostBird;
    /** The host's FRR when the lab was started with {@link #startWithFrrHost}; then there is no host BIRD. */
    private volatile FrrHost frrHost;
    /** True when the lab was started with {@link #startRouterOnly}: the test runs the host's speaker. */
    private volatile boolean routerOnly;
    private volatile Process routerBird;

    private NetnsLab(Tools tools, Path workDir, int sequence) {
        this(tools, workDir, sequence, Setup.DEFAULT);
    }

    private NetnsLab(Tools tools, Path workDir, int sequence, Setup setup) {
        this.tools = tools;
        this.workDir = workDir;
        this.hostNs = "rhid" + RUN_TOKEN + "h" + sequence;
        this.routerNs = "rhid" + RUN_TOKEN + "r" + sequence;
        this.hostConf = workDir.resolve("bird-host.conf");
        this.routerConf = workDir.resolve("bird-router.conf");
        this.includeFile = workDir.resolve("rhid.conf");
        this.hostSocket = workDir.resolve("bird-host.ctl");
        this.routerSocket = workDir.resolve("bird-router.ctl");
        this.hostPidFile = workDir.resolve("bird-host.pid");
        this.routerPidFile = workDir.resolve("bird-router.pid");
        this.hostBirdLog = workDir.resolve("bird-host.log");
        this.routerBirdLog = workDir.resolve("bird-router.log");
        this.hostBirdOut = workDir.resolve("bird-host.out");
        this.routerBirdOut = workDir.resolve("bird-router.out");
        this.setup = setup;
        this.hostConfText = fill(setup.hostConf());
        this.shutdownHook = new Thread(this::tearDown, "netns-lab-cleanup-" + hostNs);
    }

    // ---------------------------------------------------------------------------------------------
    // Availability

    /**
     * Skips the calling test (or class, from {@code @BeforeAll}) unless the lab can run here: root,
     * {@code ip}, {@code bird}, {@code birdc} and {@code python3} present, and {@code ip netns add}
     * permitted. Prints one loud line on stderr when skipping. {@link #start} calls this too.
     */
    public static void assumeAvailable() {
        tools();
    }

    /**
     * Skips the calling test (or class) unless a lab with FRR on the host can run here: everything
     * {@link #assumeAvailable} needs (the router is still BIRD) plus zebra, staticd, bgpd, vtysh,
     * frr-reload.py and the frr user. Prints one loud line on stderr when skipping.
     */
    public static void assumeFrrAvailable() {
        Availability a = availability();
        String reason = a.skipReason() != null ? a.skipReason() : FrrHost.unavailable().orElse(null);
        if (reason != null) {
            System.err.println(FRR_SKIP_PREFIX + reason);
            Assumptions.abort(FRR_SKIP_PREFIX + reason);
        }
    }

    private static Tools tools() {
        Availability a = availability();
        if (a.skipReason() != null) {
            System.err.println(SKIP_PREFIX + a.skipReason());
            Assumptions.abort(SKIP_PREFIX + a.skipReason());
        }
        return a.tools();
    }

    private static synchronized Availability availability() {
        if (availability == null) {
            availability = probeAvailability();
        }
        return availability;
    }

    private static Availability probeAvailability() {
        if (!isRoot()) {
            return Availability.skip("not root");
        }
        Optional<Path> ip = executable("rhid.it.ip", "ip");
        Optional<Path> bird = executable("rhid.it.bird", "bird");
        Optional<Path> birdc = executable("rhid.it.birdc", "birdc");
        Optional<Path> python3 = executable("rhid.it.python3", "python3");
        if (ip.isEmpty()) {
            return Availability.skip("ip (iproute2) not found");
        }
        if (bird.isEmpty() || birdc.isEmpty()) {
            return Availability.skip("bird/birdc not found (install bird2)");
        }
        if (python3.isEmpty()) {
            return Availability.skip("python3 not found");
        }
        Tools tools = new Tools(ip.get(), bird.get(), birdc.get(), python3.get());
        String probe = "rhid" + RUN_TOKEN + "p" + SEQUENCE.incrementAndGet();
        try {
            holdRunLock();
        } catch (IOException e) {
            return Availability.skip("cannot lock " + LOCK_DIR + ": " + e.getMessage());
        }
        try {
            CommandResult add = exec(List.of(tools.ip().toString(), "netns", "add", probe), COMMAND_TIMEOUT);
            if (add.exitCode() != 0) {
                return Availability.skip("ip netns add not permitted: " + add.output().strip());
            }
            exec(List.of(tools.ip().toString(), "netns", "del", probe), COMMAND_TIMEOUT);
        } catch (RuntimeException e) {
            return Availability.skip("ip netns add failed: " + e.getMessage());
        }
        return new Availability(tools, null);
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), UTF_8)) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** A system property override, else the first match on PATH or in the sbin directories. */
    private static Optional<Path> executable(String property, String name) {
        String override = System.getProperty(property);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            return Files.isExecutable(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(Arrays.asList(path.split(":")));
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------------------------------------
    // Lifecycle

    /**
     * Builds the lab in {@code workDir} (which must exist) and starts both BIRDs, waiting until
     * their control sockets answer; it does not wait for the BGP session (see
     * {@link #waitForSession}). Writes the contract's empty include file unless one exists.
     * Removes namespaces left behind by crashed earlier runs first.
     */
    public static NetnsLab start(Path workDir) {
        Tools tools = tools();
        removeStaleNamespaces(tools);
        NetnsLab lab = new NetnsLab(tools, workDir.toAbsolutePath().normalize(), SEQUENCE.incrementAndGet());
        try {
            lab.setUp();
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    /**
     * As {@link #start}, but the host namespace runs FRR ({@link FrrHost}: zebra, staticd and bgpd
     * in {@code workDir/frr}, configured with {@code hostFrrConf}) instead of BIRD; the router is
     * the same BIRD peer. Waits until bgpd answers, not for the BGP session.
     */
    public static NetnsLab startWithFrrHost(Path workDir, String hostFrrConf) {
        assumeFrrAvailable();
        Tools tools = tools();
        removeStaleNamespaces(tools);
        NetnsLab lab = new NetnsLab(tools, workDir.toAbsolutePath().normalize(), SEQUENCE.incrementAndGet());
        lab.frrHost = new FrrHost(tools.ip(), lab.hostNs, lab.workDir.resolve("frr"), hostFrrConf);
        try {
            lab.setUp();
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    /**
     * As {@link #start}, but with {@code setup}'s link addresses and BIRD configs instead of the
     * default ones (for a bird.conf exactly as the README shows it, say).
     */
    public static NetnsLab start(Path workDir, Setup setup) {
        Tools tools = tools();
        removeStaleNamespaces(tools);
        NetnsLab lab = new NetnsLab(tools, workDir.toAbsolutePath().normalize(), SEQUENCE.incrementAndGet(), setup);
        try {
            lab.setUp();
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    /**
     * As {@link #start}, but only the router's BIRD runs; the test starts the host's BGP speaker
     * itself (ExaBGP) in {@link #hostNetns()}, peering from {@link #HOST_ADDRESS_V4} as
     * {@link #HOST_ASN} with the router at {@link #ROUTER_ADDRESS_V4}.
     */
    public static NetnsLab startRouterOnly(Path workDir) {
        Tools tools = tools();
        removeStaleNamespaces(tools);
        NetnsLab lab = new NetnsLab(tools, workDir.toAbsolutePath().normalize(), SEQUENCE.incrementAndGet());
        lab.routerOnly = true;
        try {
            lab.setUp();
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    /** The lab's FRR template (src/test/resources/it/frr/host.conf) with the host name filled in. */
    public static String frrHostConf() {
        return FrrHost.template("host.conf");
    }

    private void setUp() {
        for (Path socket : List.of(hostSocket, routerSocket)) {
            if (socket.toString().length() > MAX_SOCKET_PATH) {
                throw new IllegalArgumentException("workDir too deep for a BIRD control socket (unix socket "
                        + "paths are limited to 107 bytes): " + socket);
            }
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);

        ip("netns", "add", hostNs);
        ip("netns", "add", routerNs);
        ip("-n", hostNs, "link", "set", "lo", "up");
        ip("-n", routerNs, "link", "set", "lo", "up");
        // Created inside the host namespace with its peer placed straight into the router's, so
        // the name eth0 never exists in (or clashes with anything in) the root namespace.
        ip("-n", hostNs, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", routerNs);
        ip("-n", hostNs, "addr", "add", setup.hostV4(), "dev", "eth0");
        ip("-n", routerNs, "addr", "add", setup.routerV4(), "dev", "eth0");
        if (setup.hostV6() != null) {
            ip("-n", hostNs, "addr", "add", setup.hostV6(), "dev", "eth0", "nodad");
            ip("-n", routerNs, "addr", "add", setup.routerV6(), "dev", "eth0", "nodad");
        }
        ip("-n", hostNs, "link", "set", "eth0", "up");
        ip("-n", routerNs, "link", "set", "eth0", "up");

        write(routerConf, fill(setup.routerConf()));
        parseCheck(routerConf);
        if (frrHost != null) {
            routerBird = startBird(routerNs, routerConf, routerSocket, routerPidFile, routerBirdOut, "router");
            frrHost.start();
            return;
        }
        if (routerOnly) {
            routerBird = startBird(routerNs, routerConf, routerSocket, routerPidFile, routerBirdOut, "router");
            return;
        }
        write(hostConf, hostConfText);
        if (!Files.exists(includeFile)) {
            write(includeFile, emptyIncludeFile());
        }
        parseCheck(hostConf);

        routerBird = startBird(routerNs, routerConf, routerSocket, routerPidFile, routerBirdOut, "router");
        hostBird = startBird(hostNs, hostConf, hostSocket, hostPidFile, hostBirdOut, "host");
    }

    /** Stops the host's BIRD (SIGTERM, then SIGKILL) and starts it again with the same files. */
    public void restartHostBird() {
        stopHostBird();
        startHostBird();
    }

    /** Stops the host's BIRD: SIGTERM, which sends a Cease to the router, bounded, then SIGKILL. */
    public void stopHostBird() {
        Process p = hostBird;
        if (p != null) {
            terminate(p, STOP_GRACE);
        }
    }

    /** Kills the host's BIRD with SIGKILL, as a crash would; the kernel closes its BGP socket. */
    public void killHostBird() {
        Process p = hostBird;
        if (p != null) {
            p.destroyForcibly();
            waitQuietly(p, STOP_GRACE);
        }
    }

    /** Starts the host's BIRD unless it is running, and waits until its control socket answers. */
    public void startHostBird() {
        requireOpen();
        Process p = hostBird;
        if (p != null && p.isAlive()) {
            return;
        }
        hostBird = startBird(hostNs, hostConf, hostSocket, hostPidFile, hostBirdOut, "host");
    }

    /**
     * Stops every process the lab started (by PID: SIGTERM, bounded wait, SIGKILL) and deletes both
     * namespaces. Idempotent; never throws; leaves {@link #workDir()} in place.
     */
    @Override
    public void close() {
        tearDown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // Shutdown already in progress, or the hook was never registered.
        }
    }

    private void tearDown() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            if (routerWatch != null) {
                routerWatch.close();
            }
        }
        List<Process> started = new ArrayList<>(hostProcesses);
        Collections.reverse(started);
        for (Process p : started) {
            terminateQuietly(p);
        }
        if (frrHost != null) {
            frrHost.stop();
        }
        terminateQuietly(hostBird);
        terminateQuietly(routerBird);
        for (String ns : List.of(hostNs, routerNs)) {
            deleteNamespaceQuietly(tools, ns);
        }
    }

    private static void terminateQuietly(Process p) {
        if (p == null) {
            return;
        }
        try {
            terminate(p, STOP_GRACE);
        } catch (RuntimeException e) {
            System.err.println("NetnsLab: could not stop pid " + p.pid() + ": " + e);
        }
    }

    /** Kills whatever still runs in the namespace (by PID), then deletes it; ignores "not found". */
    private static void deleteNamespaceQuietly(Tools tools, String ns) {
        try {
            CommandResult pids = exec(List.of(tools.ip().toString(), "netns", "pids", ns), COMMAND_TIMEOUT);
            if (pids.exitCode() == 0) {
                for (String token : pids.output().split("\\s+")) {
                    if (token.matches("\\d+")) {
                        ProcessHandle.of(Long.parseLong(token)).ifPresent(h -> {
                            h.destroyForcibly();
                            try {
                                h.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } catch (ExecutionException | TimeoutException e) {
                                // Reported by the namespace deletion below if it matters.
                            }
                        });
                    }
                }
            }
            CommandResult del = exec(List.of(tools.ip().toString(), "netns", "del", ns), COMMAND_TIMEOUT);
            if (del.exitCode() != 0 && !del.output().contains("No such file")) {
                System.err.println("NetnsLab: ip netns del " + ns + " failed: " + del.output().strip());
            }
        } catch (RuntimeException e) {
            System.err.println("NetnsLab: could not delete namespace " + ns + ": " + e);
        }
    }

    /** Where lab runs keep the lock files that mark their namespaces as live. */
    static Path lockDir() {
        return LOCK_DIR;
    }

    /** Takes this run's lock file, which marks its namespaces as live until the JVM exits. */
    private static synchronized void holdRunLock() throws IOException {
        if (runLock != null) {
            return;
        }
        Files.createDirectories(LOCK_DIR);
        Path file = LOCK_DIR.resolve(RUN_TOKEN + ".lock");
        java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        ch.lock();
        runLock = ch;
        file.toFile().deleteOnExit();
    }

    /**
     * Deletes namespaces left by lab runs that died: those whose name carries a run token with a
     * lock file in {@link #LOCK_DIR} that no live process holds (this run takes the lock, then
     * deletes). A name without a lock file, or whose lock is held, is never touched.
     */
    static List<String> removeStaleNamespaces(Tools tools) {
        List<String> removed = new ArrayList<>();
        CommandResult list = exec(List.of(tools.ip().toString(), "netns", "list"), COMMAND_TIMEOUT);
        java.util.Map<String, List<String>> byToken = new java.util.TreeMap<>();
        for (String line : list.output().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            Matcher m = LAB_NETNS.matcher(name);
            if (m.matches() && !m.group(1).equals(RUN_TOKEN)) {
                byToken.computeIfAbsent(m.group(1), t -> new ArrayList<>()).add(name);
            }
        }
        for (var e : byToken.entrySet()) {
            Path lockFile = LOCK_DIR.resolve(e.getKey() + ".lock");
            if (!Files.isRegularFile(lockFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue; // not a lab run's namespace, or one this machinery cannot vouch for
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile,
                    java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock lock = ch.tryLock()) {
                if (lock == null) {
                    continue; // its run is alive
                }
                for (String name : e.getValue()) {
                    System.err.println("NetnsLab: removing stale namespace " + name + " (its run's lock " + lockFile
                            + " is free)");
                    deleteNamespaceQuietly(tools, name);
                    removed.add(name);
                }
                Files.deleteIfExists(lockFile);
            } catch (IOException | java.nio.channels.OverlappingFileLockException ex) {
                System.err.println("NetnsLab: leaving " + e.getValue() + " alone: " + ex);
            }
        }
        return removed;
    }

    // ---------------------------------------------------------------------------------------------
    // Accessors

    public String hostNetns() {
        return hostNs;
    }

    public String routerNetns() {
        return routerNs;
    }

    public Path workDir() {
        return workDir;
    }

    /** The host's FRR; only for a lab from {@link #startWithFrrHost}. */
    public FrrHost frr() {
        if (frrHost == null) {
            throw new IllegalStateException("lab " + hostNs + " runs BIRD on the host, not FRR");
        }
        return frrHost;
    }

    /** rhid's include file, named by the host's bird.conf. */
    public Path includeFile() {
        return includeFile;
    }

    public Path hostBirdConf() {
        return hostConf;
    }

    public Path hostBirdSocket() {
        return hostSocket;
    }

    public Path routerBirdSocket() {
        return routerSocket;
    }

    public Path hostBirdLog() {
        return hostBirdLog;
    }

    public Path routerBirdLog() {
        return routerBirdLog;
    }

    public Path birdc() {
        return tools.birdc();
    }

    public Path python3() {
        return tools.python3();
    }

    /** The running host BIRD's PID, e.g. to check that it was not restarted. */
    public long hostBirdPid() {
        Process p = hostBird;
        if (p == null || !p.isAlive()) {
            throw new IllegalStateException("host BIRD is not running");
        }
        return p.pid();
    }

    /** The contract's include file with nothing announced, as the lab writes it at start. */
    public static String emptyIncludeFile() {
        return template("rhid-empty.conf");
    }

    // ---------------------------------------------------------------------------------------------
    // Running things in the host namespace

    /** {@code ip netns exec HOST argv...}. */
    public List<String> inHost(String... argv) {
        return inHost(List.of(argv));
    }

    public List<String> inHost(List<String> argv) {
        List<String> command = new ArrayList<>(List.of(tools.ip().toString(), "netns", "exec", hostNs));
        command.addAll(argv);
        return List.copyOf(command);
    }

    /**
     * Starts {@code argv} in the host namespace with stdout and stderr appended to {@code log}. The
     * lab stops it at {@link #close()} unless the test already has.
     */
    public Process startInHost(List<String> argv, Path log) {
        requireOpen();
        ProcessBuilder pb = new ProcessBuilder(inHost(argv))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        try {
            Process p = pb.start();
            hostProcesses.add(p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + argv + " in " + hostNs, e);
        }
    }

    /** Runs {@code argv} in the host namespace to completion (bounded) and returns its output. */
    public CommandResult runInHost(Duration timeout, String... argv) {
        return exec(inHost(argv), timeout);
    }

    /**
     * {@code GET url} from inside the host namespace (python3's urllib, 5 s timeout), e.g. rhid's
     * {@code http://127.0.0.1:9790/status}; the body on exit 0, else urllib's complaint.
     */
    public CommandResult httpGetInHost(String url) {
        return runInHost(COMMAND_TIMEOUT, tools.python3().toString(), "-c",
                "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())",
                url);
    }

    /**
     * Starts {@code python3 -m http.server} on 127.0.0.1:{@code port} in the host namespace,
     * serving an empty directory (so {@code GET /} answers 200), and waits until it accepts
     * connections. Kill the returned process to make the service fail.
     */
    public Process startToyHttpService(int port) {
        Path root = workDir.resolve("http-" + port);
        Path log = workDir.resolve("http-" + port + ".log");
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process p = startInHost(List.of(tools.python3().toString(), "-m", "http.server",
                "--bind", "127.0.0.1", "--directory", root.toString(), Integer.toString(port)), log);
        long deadline = System.nanoTime() + Patience.of(DAEMON_START_TIMEOUT).toNanos();
        String connect = "import socket; socket.create_connection(('127.0.0.1', " + port + "), 1).close()";
        while (true) {
            if (!p.isAlive()) {
                throw new AssertionError("toy HTTP service on port " + port + " exited with " + p.exitValue()
                        + "; its log:\n" + tail(log, 20));
            }
            if (runInHost(COMMAND_TIMEOUT, tools.python3().toString(), "-c", connect).exitCode() == 0) {
                return p;
            }
            if (System.nanoTime() > deadline) {
                terminateQuietly(p);
                throw new AssertionError("toy HTTP service on port " + port + " did not accept connections within "
                        + DAEMON_START_TIMEOUT + "; its log:\n" + tail(log, 20));
            }
            pause(50);
        }
    }

    /**
     * Stops {@code p} by PID: SIGTERM, then SIGKILL if it has not exited within {@code grace}.
     * Returns the exit code.
     */
    public static int terminate(Process p, Duration grace) {
        if (p.isAlive()) {
            p.destroy();
            if (!waitQuietly(p, grace)) {
                p.destroyForcibly();
                if (!waitQuietly(p, grace)) {
                    throw new IllegalStateException("pid " + p.pid() + " survived SIGKILL for " + grace);
                }
            }
        }
        return p.exitValue();
    }

    // ---------------------------------------------------------------------------------------------
    // BIRD

    /** {@code birdc -s HOST_SOCKET args...}, bounded. */
    public CommandResult hostBirdc(String... args) {
        return birdc(hostSocket, args);
    }

    /** {@code birdc -s ROUTER_SOCKET args...}, bounded. */
    public CommandResult routerBirdc(String... args) {
        return birdc(routerSocket, args);
    }

    private CommandResult birdc(Path socket, String... args) {
        List<String> command = new ArrayList<>(List.of(tools.birdc().toString(), "-s", socket.toString()));
        command.addAll(Arrays.asList(args));
        return exec(command, COMMAND_TIMEOUT);
    }

    /**
     * Waits until the router's BGP session to the host is Established, polling
     * {@code birdc show protocols} every 50 ms. Returns how long it took.
     */
    public Duration waitForSession(Duration timeout) {
        return waitForSession(ROUTER_BGP_PROTOCOL, timeout);
    }

    /** As {@link #waitForSession(Duration)}, for the router's BGP protocol {@code routerProtocol}. */
    public Duration waitForSession(String routerProtocol, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + Patience.of(timeout).toNanos();
        while (true) {
            CommandResult r = routerBirdc("show", "protocols", routerProtocol);
            if (r.exitCode() == 0 && r.output().contains("Established")) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("BGP session " + hostNs + " <-> " + routerNs + " not Established within "
                        + timeout + "\nrouter> show protocols " + routerProtocol + "\n" + r.output()
                        + diagnostics());
            }
            pause(50);
        }
    }

    /** Appends a line that does not parse, so any {@code birdc configure} fails until restored. */
    public void breakHostBirdConf() {
        write(hostConf, hostConfText + "\nthis line is not bird configuration;\n");
    }

    public void restoreHostBirdConf() {
        write(hostConf, hostConfText);
    }

    /**
     * The prefixes BIRD installed in the router namespace's kernel table (IPv4 and IPv6), as
     * canonical prefix strings such as {@code 198.51.100.53/32} and {@code 2001:db8::53/128}.
     */
    public Set<String> routerKernelRoutes() {
        Set<String> routes = new TreeSet<>(routerKernelRoutes(false));
        routes.addAll(routerKernelRoutes(true));
        return routes;
    }

    private Set<String> routerKernelRoutes(boolean v6) {
        List<String> command = new ArrayList<>(List.of(tools.ip().toString()));
        if (v6) {
            command.add("-6");
        }
        command.addAll(List.of("-j", "-n", routerNs, "route", "show", "proto", "bird"));
        CommandResult r = exec(command, COMMAND_TIMEOUT);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + r.output());
        }
        Set<String> routes = new TreeSet<>();
        Matcher m = KERNEL_DST.matcher(r.output());
        while (m.find()) {
            routes.add(normalizePrefix(m.group(1), v6));
        }
        return routes;
    }

    /** {@code ip -j} prints host routes without their length and the default route as "default". */
    private static String normalizePrefix(String dst, boolean v6) {
        if (dst.equals("default")) {
            return v6 ? "::/0" : "0.0.0.0/0";
        }
        String p = dst.toLowerCase(Locale.ROOT);
        return p.contains("/") ? p : p + (v6 ? "/128" : "/32");
    }

    /**
     * Waits until {@code prefix} is present in (or absent from) the router's kernel table, for at
     * most {@link Patience#of} the timeout. Returns the time from this call until the condition held.
     */
    public Duration awaitRoute(String prefix, boolean present, Duration timeout) {
        return awaitRoute(prefix, present, timeout, System.nanoTime());
    }

    /**
     * As {@link #awaitRoute(String, boolean, Duration)}, but returns the time since
     * {@code sinceNanos} (a {@link System#nanoTime()} reading taken before the action under test).
     * The wait is event-driven: the router's {@link RouteWatch} stamps the kernel's notification
     * of the change, so the time measured is when the kernel learned it, not when a poll noticed.
     * The table is read once at the start (after taking a mark in the event stream, so no change
     * falls between the two) and again every second while waiting, in case the watcher lost a
     * burst of notifications.
     */
    public Duration awaitRoute(String prefix, boolean present, Duration timeout, long sinceNanos) {
        boolean v6 = prefix.contains(":");
        String wanted = normalizePrefix(prefix, v6);
        RouteWatch watch = routerWatch();
        long deadline = Patience.deadline(timeout);
        try {
            while (true) {
                int mark = watch.mark();
                if (routerKernelRoutes(v6).contains(wanted) == present) {
                    return Duration.ofNanos(Math.max(0, System.nanoTime() - sinceNanos));
                }
                long slice = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
                Optional<RouteWatch.Event> event = watch.awaitFrom(mark,
                        e -> e.deleted() != present && normalizePrefix(e.destination(), v6).equals(wanted), slice);
                if (event.isPresent()) {
                    return Duration.ofNanos(Math.max(0, event.get().nanos() - sinceNanos));
                }
                if (System.nanoTime() - deadline >= 0) {
                    if (routerKernelRoutes(v6).contains(wanted) == present) {
                        return Duration.ofNanos(System.nanoTime() - sinceNanos);
                    }
                    throw new AssertionError("route " + wanted + (present ? " did not appear in " : " did not leave ")
                            + "router " + routerNs + "'s kernel table within " + Patience.of(timeout)
                            + "\nrouter kernel routes: " + routerKernelRoutes()
                            + (watch.complaints().isEmpty() ? "" : "\nroute watcher: " + watch.complaints())
                            + diagnostics());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + wanted, e);
        }
    }

    /** The router namespace's route event stream, started on first use. */
    public synchronized RouteWatch routerWatch() {
        requireOpen();
        if (routerWatch == null) {
            try {
                routerWatch = new RouteWatch(routerNs);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot watch routes in " + routerNs, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted starting the route watch", e);
            }
        }
        return routerWatch;
    }

    /**
     * What the router learned for exactly {@code prefix} ({@code birdc show route PREFIX all}; the
     * best route), or empty if it has no route for it.
     */
    public Optional<RouterRoute> routerRouteDetails(String prefix) {
        String wanted = normalizePrefix(prefix, prefix.contains(":"));
        CommandResult r = routerBirdc("show", "route", wanted, "all");
        // birdc exits 1 with "Network not found" (reply code 8001) when there is no such route.
        if (r.exitCode() != 0 && r.output().contains("Network not found")) {
            return Optional.empty();
        }
        if (r.exitCode() != 0) {
            throw new IllegalStateException("router birdc show route " + wanted + " all failed: " + r.output());
        }
        return RouterRoute.parse(wanted, r.output());
    }

    /** Registers something running in the lab whose view belongs in {@link #failureReport()}. */
    public void attach(LabWitness witness) {
        witnesses.add(witness);
    }

    /**
     * Everything a reader of a failed test needs, gathered while the lab still runs: each attached
     * witness's report (rhid's log tail and {@code /status}), the host daemon's view of its routes
     * (birdc show route / vtysh show bgp), the router's RIB and kernel table, then
     * {@link #diagnostics()}. Never throws; each section is bounded.
     */
    public String failureReport() {
        StringBuilder sb = new StringBuilder();
        for (LabWitness w : witnesses) {
            try {
                sb.append(w.failureReport());
            } catch (RuntimeException e) {
                sb.append("\n(witness failed: ").append(e).append(')');
            }
        }
        if (closed.get()) {
            return sb.append("\n(lab already closed: no daemon views)").toString();
        }
        if (frrHost != null) {
            section(sb, "host vtysh> show bgp ipv4/ipv6 unicast", () -> frrHost.vtysh("show bgp ipv4 unicast",
                    "show bgp ipv6 unicast").output());
        } else if (!routerOnly) {
            section(sb, "host birdc> show route", () -> hostBirdc("show", "route").body());
        }
        section(sb, "router birdc> show route", () -> routerBirdc("show", "route").body());
        section(sb, "router kernel routes (proto bird)", () -> routerKernelRoutes().toString());
        return sb.append(diagnostics()).toString();
    }

    private static final int REPORT_LINES = 60;

    private static void section(StringBuilder sb, String title, java.util.function.Supplier<String> body) {
        String text;
        try {
            text = lastLines(body.get(), REPORT_LINES);
        } catch (RuntimeException e) {
            text = "(failed: " + e.getMessage() + ")";
        }
        sb.append("\n--- ").append(title).append('\n').append(text);
    }

    /** The last {@code n} lines of {@code text}, with a note of how many were left out. */
    static String lastLines(String text, int n) {
        List<String> lines = text.lines().toList();
        if (lines.size() <= n) {
            return text.strip();
        }
        return "(" + (lines.size() - n) + " earlier lines left out)\n"
                + String.join("\n", lines.subList(lines.size() - n, lines.size()));
    }

    /** Last lines of both BIRD logs and the router's protocol list, for failure messages. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder();
        try {
            sb.append("\nrouter> show protocols\n").append(routerBirdc("show", "protocols").output());
        } catch (RuntimeException e) {
            sb.append("\nrouter> show protocols: ").append(e);
        }
        if (frrHost != null) {
            sb.append(frrHost.diagnostics());
        } else if (!routerOnly) {
            sb.append("\n--- ").append(hostBirdLog).append(" (last 25 lines)\n").append(tail(hostBirdLog, 25));
            sb.append("\n--- ").append(hostBirdOut).append(" (last 10 lines)\n").append(tail(hostBirdOut, 10));
        }
        sb.append("\n--- ").append(routerBirdLog).append(" (last 25 lines)\n").append(tail(routerBirdLog, 25));
        sb.append("\n--- ").append(routerBirdOut).append(" (last 10 lines)\n").append(tail(routerBirdOut, 10));
        return sb.toString();
    }

    private void parseCheck(Path conf) {
        CommandResult r = exec(List.of(tools.bird().toString(), "-p", "-c", conf.toString()), COMMAND_TIMEOUT);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("bird -p rejects " + conf + ": " + r.output());
        }
    }

    private Process startBird(String ns, Path conf, Path socket, Path pidFile, Path out, String role) {
        List<String> command = List.of(tools.ip().toString(), "netns", "exec", ns, tools.bird().toString(),
                "-f", "-c", conf.toString(), "-s", socket.toString(), "-P", pidFile.toString());
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + role + " BIRD", e);
        }
        long deadline = System.nanoTime() + Patience.of(DAEMON_START_TIMEOUT).toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException(role + " BIRD exited with " + p.exitValue() + diagnostics());
            }
            // A socket file left by a SIGKILLed BIRD refuses connections, so this also waits for
            // the new daemon to replace it.
            CommandResult r = birdc(socket, "show", "status");
            if (r.exitCode() == 0 && r.output().contains("Daemon is up and running")) {
                return p;
            }
            if (System.nanoTime() > deadline) {
                terminateQuietly(p);
                throw new IllegalStateException(role + " BIRD control socket " + socket + " not answering within "
                        + DAEMON_START_TIMEOUT + ": " + r.output() + diagnostics());
            }
            pause(20);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    private void ip(String... args) {
        List<String> command = new ArrayList<>(List.of(tools.ip().toString()));
        command.addAll(Arrays.asList(args));
        CommandResult r = exec(command, COMMAND_TIMEOUT);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + r.exitCode() + ": "
                    + r.output().strip());
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("lab " + hostNs + " is closed");
        }
    }

    /** Runs a command to completion, reading its merged output concurrently; bounded by timeout. */
    static CommandResult exec(List<String> command, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        InputStream stdout = p.getInputStream();
        Future<byte[]> output = OUTPUT_READERS.submit(stdout::readAllBytes);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                waitQuietly(p, STOP_GRACE);
                throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", command));
            }
            return new CommandResult(command, p.exitValue(), new String(output.get(5, TimeUnit.SECONDS), UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read output of " + String.join(" ", command), e);
        }
    }

    private static boolean waitQuietly(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last {@code n} lines of a file, or a note that it cannot be read. */
    static String tail(Path file, int n) {
        try {
            List<String> lines = Files.readAllLines(file, UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /** A template from src/test/resources/it/bird/; @WORK_DIR@ and @INCLUDE_FILE@ are not filled. */
    public static String template(String name) {
        try (InputStream in = NetnsLab.class.getResourceAsStream("/it/bird/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource it/bird/" + name);
            }
            return new String(in.readAllBytes(), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String fill(String text) {
        return text.replace("@WORK_DIR@", workDir.toString()).replace("@INCLUDE_FILE@",
                includeFile.toString());
    }

    // ---------------------------------------------------------------------------------------------
    // Values

    private record Tools(Path ip, Path bird, Path birdc, Path python3) {
    }

    /**
     * The link's addresses (with prefix lengths; no IPv6 on the link when {@code hostV6} is null)
     * and the two BIRD configs, in which {@code @WORK_DIR@} and {@code @INCLUDE_FILE@} are filled.
     */
    public record Setup(String hostV4, String routerV4, String hostV6, String routerV6, String hostConf,
                        String routerConf) {
        public static final Setup DEFAULT = new Setup(HOST_ADDRESS_V4 + "/30", ROUTER_ADDRESS_V4 + "/30",
                HOST_ADDRESS_V6 + "/64", ROUTER_ADDRESS_V6 + "/64", template("host.conf"), template("router.conf"));
    }

    private record Availability(Tools tools, String skipReason) {
        static Availability skip(String reason) {
            return new Availability(null, reason);
        }
    }

    /** A finished command: its argv, exit code and merged stdout/stderr. */
    public record CommandResult(List<String> command, int exitCode, String output) {
        public CommandResult {
            command = List.copyOf(command);
        }

        /** The output without birdc's "BIRD 2.0.12 ready." banner. */
        public String body() {
            return output.lines()
                    .filter(l -> !(l.startsWith("BIRD ") && l.endsWith(" ready.")))
                    .collect(Collectors.joining("\n"));
        }
    }

    /**
     * A route as the router's BIRD shows it. Communities are rendered as in rhid's config
     * ({@code 65000:100}, large {@code 65000:1:2}); {@code text} is BIRD's block for the route.
     */
    public record RouterRoute(String prefix, List<Long> asPath, OptionalLong med, OptionalLong localPref,
            List<String> communities, List<String> largeCommunities, List<String> nextHops, String text) {
        public RouterRoute {
            asPath = List.copyOf(asPath);
            communities = List.copyOf(communities);
            largeCommunities = List.copyOf(largeCommunities);
            nextHops = List.copyOf(nextHops);
        }

        /** The AS path as BIRD prints it, e.g. {@code 65000 65000 65000}. */
        public String asPathText() {
            return asPath.stream().map(String::valueOf).collect(Collectors.joining(" "));
        }

        /**
         * Parses {@code show route PREFIX all}: the line starting with the prefix, then its
         * tab-indented attribute lines (further routes for the same net start with spaces).
         */
        static Optional<RouterRoute> parse(String prefix, String output) {
            List<String> lines = output.lines().collect(Collectors.toList());
            int i = 0;
            while (i < lines.size() && !lines.get(i).startsWith(prefix + " ")) {
                i++;
            }
            if (i == lines.size()) {
                return Optional.empty();
            }
            StringBuilder text = new StringBuilder(lines.get(i));
            List<Long> asPath = new ArrayList<>();
            OptionalLong med = OptionalLong.empty();
            OptionalLong localPref = OptionalLong.empty();
            List<String> communities = new ArrayList<>();
            List<String> large = new ArrayList<>();
            List<String> nextHops = new ArrayList<>();
            for (i++; i < lines.size() && lines.get(i).startsWith("\t"); i++) {
                String line = lines.get(i).strip();
                text.append('\n').append(lines.get(i));
                int colon = line.indexOf(": ");
                if (colon < 0) {
                    continue;
                }
                String key = line.substring(0, colon);
                String value = line.substring(colon + 2).strip();
                switch (key) {
                    case "BGP.as_path" -> {
                        for (String token : value.split("\\s+")) {
                            if (token.matches("\\d+")) {
                                asPath.add(Long.parseLong(token));
                            }
                        }
                    }
                    case "BGP.med" -> med = OptionalLong.of(Long.parseLong(value));
                    case "BGP.local_pref" -> localPref = OptionalLong.of(Long.parseLong(value));
                    case "BGP.community" -> communities.addAll(pairs(value));
                    case "BGP.large_community" -> large.addAll(pairs(value));
                    case "BGP.next_hop" -> nextHops.addAll(Arrays.asList(value.split("\\s+")));
                    default -> {
                    }
                }
            }
            return Optional.of(new RouterRoute(prefix, asPath, med, localPref, communities, large, nextHops,
                    text.toString()));
        }

        /** {@code (65000,100) (65000, 1, 2)} -> {@code 65000:100}, {@code 65000:1:2}. */
        private static List<String> pairs(String value) {
            List<String> out = new ArrayList<>();
            Matcher m = BIRD_PAIR.matcher(value);
            while (m.find()) {
                out.add(m.group(1).replaceAll("\\s+", "").replace(',', ':'));
            }
            return out;
        }
    }
}
