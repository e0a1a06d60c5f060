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
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
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
 * <p>This class builds and tears down the namespaces and the link, runs things in the host
 * namespace, and puts the parts together; each part is its own object: the two BIRDs
 * ({@link BirdDaemon}, or an {@link FrrHost} on the host), the router's view ({@link RouterView}),
 * namespace naming and stale cleanup ({@link LabNamespaces}) and commands ({@link LabCommands}).
 * Tests normally get a lab from {@link LabExtension}, which also reports on failures.
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
    private static final Pattern BIRD_PAIR = Pattern.compile("\\(([^)]*)\\)");
    private static final Duration COMMAND_TIMEOUT = LabCommands.COMMAND_TIMEOUT;
    private static final Duration DAEMON_START_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_SOCKET_PATH = 100; // sun_path is 108 bytes including the NUL
    private static final int REPORT_LINES = 60;

    private final LabCommands.Tools tools;
    private final Path workDir;
    private final String hostNs;
    private final String routerNs;
    private final Path includeFile;
    private final String hostConfText;
    private final Setup setup;
    private final BirdDaemon hostBird;
    private final BirdDaemon routerBird;
    private final RouterView router;
    private final List<Process> hostProcesses = new CopyOnWriteArrayList<>();
    private final List<LabWitness> witnesses = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook;
    /** The host's FRR when the lab was started with {@link #startWithFrrHost}; then there is no host BIRD. */
    private volatile FrrHost frrHost;
    /** True when the lab was started with {@link #startRouterOnly}: the test runs the host's speaker. */
    private volatile boolean routerOnly;

    private NetnsLab(LabCommands.Tools tools, Path workDir, int sequence, Setup setup) {
        this.tools = tools;
        this.workDir = workDir;
        this.hostNs = LabNamespaces.name('h', sequence);
        this.routerNs = LabNamespaces.name('r', sequence);
        this.includeFile = workDir.resolve("rhid.conf");
        this.setup = setup;
        this.hostConfText = fill(setup.hostConf());
        this.hostBird = new BirdDaemon(tools, "host", hostNs, workDir);
        this.routerBird = new BirdDaemon(tools, "router", routerNs, workDir);
        this.router = new RouterView(tools, routerNs, routerBird, this::diagnostics);
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
        LabCommands.Availability a = availability();
        String reason = a.skipReason() != null ? a.skipReason() : FrrHost.unavailable().orElse(null);
        if (reason != null) {
            System.err.println(FRR_SKIP_PREFIX + reason);
            Assumptions.abort(FRR_SKIP_PREFIX + reason);
        }
    }

    private static LabCommands.Tools tools() {
        LabCommands.Availability a = availability();
        if (a.skipReason() != null) {
            System.err.println(SKIP_PREFIX + a.skipReason());
            Assumptions.abort(SKIP_PREFIX + a.skipReason());
        }
        return a.tools();
    }

    private static LabCommands.Availability availability() {
        return LabCommands.availability(() -> LabNamespaces.name('p', LabNamespaces.nextSequence()));
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
        return start(workDir, Setup.DEFAULT);
    }

    /**
     * As {@link #start}, but with {@code setup}'s link addresses and BIRD configs instead of the
     * default ones (for a bird.conf exactly as the README shows it, say).
     */
    public static NetnsLab start(Path workDir, Setup setup) {
        return build(workDir, setup, lab -> { });
    }

    /**
     * As {@link #start}, but the host namespace runs FRR ({@link FrrHost}: zebra, staticd and bgpd
     * in {@code workDir/frr}, configured with {@code hostFrrConf}) instead of BIRD; the router is
     * the same BIRD peer. Waits until bgpd answers, not for the BGP session.
     */
    public static NetnsLab startWithFrrHost(Path workDir, String hostFrrConf) {
        assumeFrrAvailable();
        return build(workDir, Setup.DEFAULT, lab -> lab.frrHost = new FrrHost(lab.tools.ip(), lab.hostNs,
                lab.workDir.resolve("frr"), hostFrrConf));
    }

    /**
     * As {@link #start}, but only the router's BIRD runs; the test starts the host's BGP speaker
     * itself (ExaBGP) in {@link #hostNetns()}, peering from {@link #HOST_ADDRESS_V4} as
     * {@link #HOST_ASN} with the router at {@link #ROUTER_ADDRESS_V4}.
     */
    public static NetnsLab startRouterOnly(Path workDir) {
        return build(workDir, Setup.DEFAULT, lab -> lab.routerOnly = true);
    }

    private static NetnsLab build(Path workDir, Setup setup, java.util.function.Consumer<NetnsLab> variant) {
        LabCommands.Tools tools = tools();
        LabNamespaces.removeStale(tools);
        NetnsLab lab = new NetnsLab(tools, workDir.toAbsolutePath().normalize(), LabNamespaces.nextSequence(), setup);
        variant.accept(lab);
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
        for (Path socket : List.of(hostBird.socket(), routerBird.socket())) {
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

        LabCommands.write(routerBird.conf(), fill(setup.routerConf()));
        routerBird.parseCheck();
        if (frrHost == null && !routerOnly) {
            LabCommands.write(hostBird.conf(), hostConfText);
            if (!Files.exists(includeFile)) {
                LabCommands.write(includeFile, emptyIncludeFile());
            }
            hostBird.parseCheck();
        }
        routerBird.start(this::diagnostics);
        if (frrHost != null) {
            frrHost.start();
        } else if (!routerOnly) {
            hostBird.start(this::diagnostics);
        }
    }

    /** Stops the host's BIRD (SIGTERM, then SIGKILL) and starts it again with the same files. */
    public void restartHostBird() {
        stopHostBird();
        startHostBird();
    }

    /** Stops the host's BIRD: SIGTERM, which sends a Cease to the router, bounded, then SIGKILL. */
    public void stopHostBird() {
        hostBird.stop();
    }

    /** Kills the host's BIRD with SIGKILL, as a crash would; the kernel closes its BGP socket. */
    public void killHostBird() {
        hostBird.kill();
    }

    /** Starts the host's BIRD unless it is running, and waits until its control socket answers. */
    public void startHostBird() {
        requireOpen();
        hostBird.start(this::diagnostics);
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
        router.close();
        List<Process> started = new ArrayList<>(hostProcesses);
        Collections.reverse(started);
        for (Process p : started) {
            LabCommands.terminateQuietly(p);
        }
        if (frrHost != null) {
            frrHost.stop();
        }
        hostBird.stop();
        routerBird.stop();
        for (String ns : List.of(hostNs, routerNs)) {
            LabNamespaces.delete(tools, ns);
        }
    }

    /** Where lab runs keep the lock files that mark their namespaces as live. */
    static Path lockDir() {
        return LabNamespaces.lockDir();
    }

    // ---------------------------------------------------------------------------------------------
    // Parts and accessors

    /** The host's BIRD as an object (not running in an FRR or router-only lab). */
    public BirdDaemon hostBird() {
        return hostBird;
    }

    /** The router's BIRD as an object. */
    public BirdDaemon routerBird() {
        return routerBird;
    }

    /** The router's RIB and kernel table: the ground truth, and waits on it. */
    public RouterView router() {
        return router;
    }

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
        return hostBird.conf();
    }

    public Path hostBirdSocket() {
        return hostBird.socket();
    }

    public Path routerBirdSocket() {
        return routerBird.socket();
    }

    public Path hostBirdLog() {
        return hostBird.log();
    }

    public Path routerBirdLog() {
        return routerBird.log();
    }

    public Path birdc() {
        return tools.birdc();
    }

    public Path python3() {
        return tools.python3();
    }

    /** The running host BIRD's PID, e.g. to check that it was not restarted. */
    public long hostBirdPid() {
        return hostBird.pid();
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
        return startToyHttpService(port, false);
    }

    /**
     * As {@link #startToyHttpService(int)}; with {@code keepAlive} it speaks HTTP/1.1 and keeps
     * connections open instead of answering in HTTP/1.0 and closing.
     */
    public Process startToyHttpService(int port, boolean keepAlive) {
        Path root = workDir.resolve("http-" + port);
        Path log = workDir.resolve("http-" + port + ".log");
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> argv = new ArrayList<>(List.of(tools.python3().toString(), "-m", "http.server"));
        if (keepAlive) {
            argv.addAll(List.of("--protocol", "HTTP/1.1"));
        }
        argv.addAll(List.of("--bind", "127.0.0.1", "--directory", root.toString(), Integer.toString(port)));
        Process p = startInHost(argv, log);
        awaitListening(p, port, "toy HTTP service", () -> "its log:\n" + tail(log, 20));
        return p;
    }

    /**
     * Waits until 127.0.0.1:{@code port} in the host namespace accepts connections while
     * {@code server} runs. When it exits or does not listen in time, stops it and what it started
     * by PID and throws an {@link AssertionError} naming {@code what} with {@code logs} (the
     * server's, read then).
     */
    public void awaitListening(Process server, int port, String what, Supplier<String> logs) {
        String connect = "import socket; socket.create_connection(('127.0.0.1', " + port + "), 1).close()";
        try {
            Patience.until(DAEMON_START_TIMEOUT, Duration.ofMillis(50), () -> {
                if (!server.isAlive()) {
                    throw new AssertionError(what + " on port " + port + " exited with " + server.exitValue()
                            + "; " + logs.get());
                }
                return runInHost(COMMAND_TIMEOUT, tools.python3().toString(), "-c", connect).exitCode() == 0
                        ? Optional.of(true) : Optional.empty();
            }, () -> what + " did not listen on port " + port + "; " + logs.get());
        } catch (AssertionError | RuntimeException e) {
            server.descendants().forEach(ProcessHandle::destroyForcibly);
            LabCommands.terminateQuietly(server);
            throw e;
        }
    }

    /**
     * Stops {@code p} by PID: SIGTERM, then SIGKILL if it has not exited within {@code grace}.
     * Returns the exit code.
     */
    public static int terminate(Process p, Duration grace) {
        return LabCommands.terminate(p, grace);
    }

    // ---------------------------------------------------------------------------------------------
    // BIRD and the router (delegating to the parts)

    /** {@code birdc -s HOST_SOCKET args...}, bounded. */
    public CommandResult hostBirdc(String... args) {
        return hostBird.birdc(args);
    }

    /** {@code birdc -s ROUTER_SOCKET args...}, bounded. */
    public CommandResult routerBirdc(String... args) {
        return routerBird.birdc(args);
    }

    /** Waits until the router's BGP session to the host is Established. Returns how long it took. */
    public Duration waitForSession(Duration timeout) {
        return waitForSession(ROUTER_BGP_PROTOCOL, timeout);
    }

    /** As {@link #waitForSession(Duration)}, for the router's BGP protocol {@code routerProtocol}. */
    public Duration waitForSession(String routerProtocol, Duration timeout) {
        return router.waitForSession(routerProtocol, timeout, hostNs);
    }

    /** Appends a line that does not parse, so any {@code birdc configure} fails until restored. */
    public void breakHostBirdConf() {
        LabCommands.write(hostBird.conf(), hostConfText + "\nthis line is not bird configuration;\n");
    }

    public void restoreHostBirdConf() {
        LabCommands.write(hostBird.conf(), hostConfText);
    }

    /**
     * The prefixes BIRD installed in the router namespace's kernel table (IPv4 and IPv6), as
     * canonical prefix strings such as {@code 198.51.100.53/32} and {@code 2001:db8::53/128}.
     */
    public Set<String> routerKernelRoutes() {
        return router.kernelRoutes();
    }

    /**
     * Waits until {@code prefix} is present in (or absent from) the router's kernel table, for at
     * most {@link Patience#of} the timeout, through route events ({@link RouterView#awaitRoute}).
     * Returns the time from this call until the kernel announced the change.
     */
    public Duration awaitRoute(String prefix, boolean present, Duration timeout) {
        return awaitRoute(prefix, present, timeout, System.nanoTime());
    }

    /**
     * As {@link #awaitRoute(String, boolean, Duration)}, but returns the time since
     * {@code sinceNanos} (a {@link System#nanoTime()} reading taken before the action under test).
     */
    public Duration awaitRoute(String prefix, boolean present, Duration timeout, long sinceNanos) {
        return router.awaitRoute(prefix, present, timeout, sinceNanos);
    }

    /**
     * Waits until every one of {@code prefixes} is present in (or absent from) the router's kernel
     * table ({@link RouterView#awaitRoutes}); returns the time since {@code sinceNanos} at which
     * the kernel announced the change that completed the set.
     */
    public Duration awaitRoutes(java.util.Collection<String> prefixes, boolean present, Duration timeout,
                                long sinceNanos) {
        return router.awaitRoutes(prefixes, present, timeout, sinceNanos);
    }

    /** The router namespace's route event stream, started on first use and closed with the lab. */
    public RouteWatch routerWatch() {
        requireOpen();
        return router.watch();
    }

    /**
     * What the router learned for exactly {@code prefix} ({@code birdc show route PREFIX all}; the
     * best route), or empty if it has no route for it.
     */
    public Optional<RouterRoute> routerRouteDetails(String prefix) {
        return router.routeDetails(prefix);
    }

    /** Registers something running in the lab whose view belongs in {@link #failureReport()}. */
    public void attach(LabWitness witness) {
        witnesses.add(witness);
    }

    /**
     * Everything a reader of a failed test needs, gathered while the lab still runs: each live
     * witness's report (the last one's if none is live) (rhid's log tail and {@code /status}), the host daemon's view of its routes
     * (birdc show route / vtysh show bgp), the router's RIB and kernel table, then
     * {@link #diagnostics()}. Never throws; each section is bounded.
     */
    public String failureReport() {
        StringBuilder sb = new StringBuilder();
        List<LabWitness> reporting = witnesses.stream().filter(LabWitness::live).toList();
        if (reporting.isEmpty() && !witnesses.isEmpty()) {
            reporting = List.of(witnesses.get(witnesses.size() - 1)); // the one that ran last
        }
        for (LabWitness w : reporting) {
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

    private static void section(StringBuilder sb, String title, Supplier<String> body) {
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
            sb.append(hostBird.diagnostics());
        }
        return sb.append(routerBird.diagnostics()).toString();
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    private void ip(String... args) {
        List<String> command = new ArrayList<>(List.of(tools.ip().toString()));
        command.addAll(Arrays.asList(args));
        LabCommands.check(command);
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("lab " + hostNs + " is closed");
        }
    }

    /** Runs a command to completion, reading its merged output concurrently; bounded by timeout. */
    static CommandResult exec(List<String> command, Duration timeout) {
        return LabCommands.exec(command, timeout);
    }

    /** The last {@code n} lines of a file, or a note that it cannot be read. */
    static String tail(Path file, int n) {
        return LabCommands.tail(file, n);
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

    /**
     * The link's addresses (with prefix lengths; no IPv6 on the link when {@code hostV6} is null)
     * and the two BIRD configs, in which {@code @WORK_DIR@} and {@code @INCLUDE_FILE@} are filled.
     */
    public record Setup(String hostV4, String routerV4, String hostV6, String routerV6, String hostConf,
                        String routerConf) {
        public static final Setup DEFAULT = new Setup(HOST_ADDRESS_V4 + "/30", ROUTER_ADDRESS_V4 + "/30",
                HOST_ADDRESS_V6 + "/64", ROUTER_ADDRESS_V6 + "/64", template("host.conf"), template("router.conf"));
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
