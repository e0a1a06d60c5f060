package io.rhid.agent.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * FRR 8.4 (zebra, staticd, bgpd) in a lab's host namespace, in place of the host's BIRD. Everything
 * lives in one directory owned by frr:frr: the integrated frr.conf (which each daemon reads with
 * {@code -f}), vtysh.conf, the VTY sockets ({@code --vty_socket}), zebra's API socket
 * ({@code -z}), pid files and logs. The daemons run in the foreground as children of the test JVM
 * and are stopped by PID. vtysh and frr-reload.py reach them through the same directory, given as
 * {@code --vty_socket}/{@code --config_dir} (vtysh) and {@code --vty_socket}/{@code --confdir}/
 * {@code --rundir} (frr-reload.py).
 */
public final class FrrHost {

    public static final Path ZEBRA = Path.of("/usr/lib/frr/zebra");
    public static final Path STATICD = Path.of("/usr/lib/frr/staticd");
    public static final Path BGPD = Path.of("/usr/lib/frr/bgpd");
    public static final Path VTYSH = Path.of("/usr/bin/vtysh");
    public static final Path FRR_RELOAD = Path.of("/usr/lib/frr/frr-reload.py");
    private static final List<String> DAEMONS = List.of("zebra", "staticd", "bgpd");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);

    private final Path ip;
    private final String ns;
    private final Path dir;
    private final String confText;
    private final Map<String, Process> daemons = new LinkedHashMap<>();

    FrrHost(Path ip, String ns, Path dir, String confText) {
        this.ip = ip;
        this.ns = ns;
        this.dir = dir;
        this.confText = confText;
    }

    /** Why FRR cannot run here, or empty when it can (binaries and the frr user present). */
    static Optional<String> unavailable() {
        for (Path p : List.of(ZEBRA, STATICD, BGPD, VTYSH, FRR_RELOAD)) {
            if (!Files.isExecutable(p)) {
                return Optional.of(p + " not found (install frr and frr-pythontools)");
            }
        }
        try {
            UserPrincipalLookupService users = Path.of("/").getFileSystem().getUserPrincipalLookupService();
            users.lookupPrincipalByName("frr");
            users.lookupPrincipalByGroupName("frr");
        } catch (IOException e) {
            return Optional.of("no frr user or group (install frr)");
        }
        return Optional.empty();
    }

    /** The lab's frr.conf from src/test/resources/it/frr/NAME with @HOSTNAME@ filled in. */
    static String template(String name) {
        try (InputStream in = FrrHost.class.getResourceAsStream("/it/frr/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource it/frr/" + name);
            }
            // vtysh prints the system's host name in show running-config; the file says the same, so
            // frr-reload.py finds no difference there.
            String host = Files.readString(Path.of("/proc/sys/kernel/hostname"), UTF_8).strip();
            return new String(in.readAllBytes(), UTF_8).replace("@HOSTNAME@", host);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the files and starts zebra, staticd and bgpd, each once its predecessor answers. */
    void start() {
        try {
            // The daemons run as frr: they must be able to reach the directory through the work dir.
            Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(configFile(), confText, UTF_8);
            Files.setPosixFilePermissions(configFile(), PosixFilePermissions.fromString("rw-r-----"));
            Files.writeString(dir.resolve("vtysh.conf"), "", UTF_8);
            for (Path p : List.of(dir, configFile(), dir.resolve("vtysh.conf"))) {
                chownFrr(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
        for (String d : DAEMONS) {
            startDaemon(d);
        }
    }

    private static void chownFrr(Path p) throws IOException {
        UserPrincipalLookupService users = p.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = users.lookupPrincipalByName("frr");
        GroupPrincipal group = users.lookupPrincipalByGroupName("frr");
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        view.setOwner(user);
        view.setGroup(group);
    }

    private void startDaemon(String name) {
        Path binary = Path.of("/usr/lib/frr", name);
        List<String> argv = new ArrayList<>(List.of(ip.toString(), "netns", "exec", ns, binary.toString(),
                "-f", configFile().toString(), "--vty_socket", dir.toString(), "-z", dir.resolve("zserv.api").toString(),
                "-i", dir.resolve(name + ".pid").toString(), "--log", "file:" + dir.resolve(name + ".log"), "-P", "0"));
        Process p;
        try {
            p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".out").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        daemons.put(name, p);
        long deadline = System.nanoTime() + Patience.of(START_TIMEOUT).toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + diagnostics());
            }
            NetnsLab.CommandResult r = NetnsLab.exec(inNs(vtyshArgv("-d", name, "-c", "show version")), COMMAND_TIMEOUT);
            if (r.exitCode() == 0 && r.output().contains("FRRouting")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                NetnsLab.terminate(p, STOP_GRACE);
                throw new IllegalStateException(name + " not answering on " + dir + " within " + START_TIMEOUT + ": "
                        + r.output() + diagnostics());
            }
            pause(20);
        }
    }

    /** Stops bgpd (SIGTERM: it sends the router a Cease) and starts it again from frr.conf. */
    public void restartBgpd() {
        Process p = daemons.get("bgpd");
        if (p != null) {
            NetnsLab.terminate(p, STOP_GRACE);
        }
        startDaemon("bgpd");
    }

    /** Stops every daemon by PID, bgpd first. Idempotent; never throws. */
    void stop() {
        List<String> order = new ArrayList<>(daemons.keySet());
        java.util.Collections.reverse(order);
        for (String name : order) {
            Process p = daemons.get(name);
            try {
                NetnsLab.terminate(p, STOP_GRACE);
            } catch (RuntimeException e) {
                System.err.println("FrrHost: could not stop " + name + " (pid " + p.pid() + "): " + e);
            }
        }
    }

    public Path dir() {
        return dir;
    }

    public Path configFile() {
        return dir.resolve("frr.conf");
    }

    /** What rhid's router.frr.vtysh_args must be to reach these daemons. */
    public List<String> vtyshArgs() {
        return List.of("--vty_socket", dir.toString(), "--config_dir", dir.toString());
    }

    /** What rhid's router.frr.frr_reload_args must be. */
    public List<String> frrReloadArgs() {
        return List.of("--vty_socket", dir.toString(), "--confdir", dir.toString(), "--rundir", dir.toString(),
                "--bindir", VTYSH.getParent().toString());
    }

    private List<String> vtyshArgv(String... args) {
        List<String> argv = new ArrayList<>(List.of(VTYSH.toString()));
        argv.addAll(vtyshArgs());
        argv.addAll(Arrays.asList(args));
        return argv;
    }

    private List<String> inNs(List<String> argv) {
        List<String> out = new ArrayList<>(List.of(ip.toString(), "netns", "exec", ns));
        out.addAll(argv);
        return out;
    }

    /** {@code vtysh -c C1 -c C2 ...} against these daemons, bounded. */
    public NetnsLab.CommandResult vtysh(String... commands) {
        List<String> args = new ArrayList<>();
        for (String c : commands) {
            args.add("-c");
            args.add(c);
        }
        return NetnsLab.exec(inNs(vtyshArgv(args.toArray(String[]::new))), COMMAND_TIMEOUT);
    }

    /** The integrated running config ({@code show running-config}). */
    public String runningConfig() {
        NetnsLab.CommandResult r = vtysh("show running-config");
        if (r.exitCode() != 0) {
            throw new IllegalStateException("vtysh show running-config failed: " + r.output());
        }
        return r.output();
    }

    /** Runs config lines through {@code vtysh -c 'configure terminal' -c LINE ...}, as an operator would. */
    public void configure(String... lines) {
        List<String> commands = new ArrayList<>(List.of("configure terminal"));
        commands.addAll(Arrays.asList(lines));
        NetnsLab.CommandResult r = vtysh(commands.toArray(String[]::new));
        if (r.exitCode() != 0 || r.output().contains("%")) {
            throw new IllegalStateException("vtysh refused " + commands + ": " + r.output());
        }
    }

    /** The last lines of each daemon's log, for failure messages. */
    String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (String d : DAEMONS) {
            sb.append("\n--- ").append(dir.resolve(d + ".log")).append(" (last 15 lines)\n")
                    .append(NetnsLab.tail(dir.resolve(d + ".log"), 15));
        }
        return sb.toString();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
