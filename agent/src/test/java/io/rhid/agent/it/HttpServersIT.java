package io.rhid.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The http check against real servers from Debian, each started on the lab host's loopback with
 * its own config, pid and log files in this run's directory: fifty services with one check each,
 * every 500 ms with {@code fall: 2}, must make no transition but the first rise for 30 s, fail no
 * run for any reason but a timeout (a stall on a host whose cores are saturated), and
 * must all be withdrawn at the router soon after the server is killed, in one apply to BIRD (from
 * {@code rhid_router_apply_total}) and within 100 ms of each other. The servers differ in how
 * they end connections (HTTP/1.0, {@code Connection: close} after N requests, idle timeouts, no
 * keep-alive), which is what a client's connection handling gets wrong.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HttpServersIT {

    /** Skips the class where the lab cannot run, closes labs after each test, reports on failure. */
    @RegisterExtension
    static final LabExtension LAB = LabExtension.bird();

    static final int SERVICES = 50;
    static final Duration RUN_FOR = Duration.ofSeconds(30);
    /** Detection (interval 500 ms + a fast re-run + timeouts, fall 2) plus the apply, with room for a busy machine. */
    static final Duration WITHDRAW_BOUND = Patience.of(Duration.ofSeconds(3));
    /**
     * First to last of the 50 withdrawals at the router after the server's death: one apply takes
     * them all in a few ms; the bound leaves room for a machine whose cores are saturated.
     */
    static final Duration SPREAD_BOUND = Duration.ofMillis(100);
    /** How long after the first apply a second one for the same death is looked for. */
    static final Duration LATE_APPLY = Duration.ofMillis(500);
    static final Pattern OK_APPLIES = Pattern.compile(
            "^rhid_router_apply_total\\{daemon=\"bird\",result=\"ok\"} (\\S+)$", Pattern.MULTILINE);
    static final String STATUS = "127.0.0.1:9791";
    static final Pattern TRANSITION = Pattern.compile(
            "^rhid_transitions_total\\{service=\"([^\"]+)\",from=\"([^\"]+)\",to=\"([^\"]+)\"} (\\d+)", Pattern.MULTILINE);
    static final Pattern FAILURES = Pattern.compile(
            "^rhid_check_failures_total\\{[^}]*reason=\"([^\"]+)\"} (\\d+)", Pattern.MULTILINE);

    @TempDir
    static Path dir;

    static NetnsLab lab;
    static Path pki;

    RhidProcess rhid;
    Process server;

    @BeforeAll
    static void startLab() throws IOException {
        for (String tool : List.of("nginx", "apache2", "lighttpd", "openssl", "curl")) {
            assumeTrue(onPath(tool), tool + " is not installed");
        }
        // Apache's and lighttpd's workers read the document root as nobody.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        lab = LAB.start(Files.createDirectories(dir.resolve("lab")));
        lab.waitForSession(Duration.ofSeconds(20));
        pki = Files.createDirectories(dir.resolve("pki"));
        makeCertificates();
    }

    @AfterEach
    void stopServerAndRhid() {
        if (rhid != null) {
            rhid.close();
        }
        if (server != null) {
            kill(server);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The servers

    @Test
    @Order(1)
    void nginx_with_its_default_keep_alive() throws Exception {
        server = nginx("default", 8080, "", "");
        proveAgainst("nginx default", "http://127.0.0.1:8080/", "");
    }

    @Test
    @Order(2)
    void nginx_closing_after_three_requests() throws Exception {
        server = nginx("requests3", 8080, "keepalive_requests 3;", "");
        proveAgainst("nginx keepalive_requests 3", "http://127.0.0.1:8080/", "");
    }

    @Test
    @Order(3)
    void nginx_without_keep_alive() throws Exception {
        server = nginx("timeout0", 8080, "keepalive_timeout 0;", "");
        proveAgainst("nginx keepalive_timeout 0", "http://127.0.0.1:8080/", "");
    }

    @Test
    @Order(4)
    void apache_event_mpm_closing_idle_connections_after_5_s() throws Exception {
        server = apache();
        proveAgainst("apache2 event KeepAliveTimeout 5", "http://127.0.0.1:8080/index.html", "");
    }

    @Test
    @Order(5)
    void lighttpd() throws Exception {
        server = lighttpdServer();
        proveAgainst("lighttpd", "http://127.0.0.1:8080/index.html", "");
    }

    @Test
    @Order(6)
    void python_http_server_answering_http_1_0_and_closing() throws Exception {
        server = lab.startToyHttpService(8080);
        proveAgainst("python3 http.server", "http://127.0.0.1:8080/", "");
    }

    @Test
    @Order(7)
    void nginx_over_tls_with_a_self_signed_certificate_unverified() throws Exception {
        server = nginx("tls-self", 8443, "", """
                ssl_certificate %s;
                ssl_certificate_key %s;
                """.formatted(pki.resolve("self.crt"), pki.resolve("self.key")));
        proveAgainst("nginx TLS self-signed", "https://127.0.0.1:8443/", ", tls_verify: false");
    }

    @Test
    @Order(8)
    void nginx_over_tls_verified_with_ca_file_and_requiring_a_client_certificate() throws Exception {
        server = nginx("tls-ca", 8443, "", """
                ssl_certificate %s;
                ssl_certificate_key %s;
                ssl_client_certificate %s;
                ssl_verify_client on;
                """.formatted(pki.resolve("server.crt"), pki.resolve("server.key"), pki.resolve("ca.crt")));
        String url = "https://127.0.0.1:8443/";
        // Without the client certificate nginx answers 400: the check must fail, so the pass below
        // is the certificate's doing.
        NetnsLab.CommandResult without = probeOnce(url, ", ca_file: " + pki.resolve("ca.crt"));
        assertThat(without.output()).contains("FAIL").contains("status 400");
        proveAgainst("nginx TLS CA-signed, client certificate required", url, ", ca_file: " + pki.resolve("ca.crt")
                + ", client_cert: " + pki.resolve("client.crt") + ", client_key: " + pki.resolve("client.key"));
    }

    // ---------------------------------------------------------------------------------------------
    // rhid probe from a fresh JVM

    @Test
    @Order(9)
    void rhid_probe_with_a_100ms_timeout_passes_ten_runs_of_ten_from_a_cold_start() throws Exception {
        server = nginx("probe", 8080, "", "");
        Path config = Files.writeString(dir.resolve("probe.yaml"), """
                services:
                  web:
                    prefixes: [198.51.100.80/32]
                    checks:
                      - { type: http, url: "http://127.0.0.1:8080/", timeout: 100ms }
                """);
        List<String> outputs = new ArrayList<>();
        int passed = 0;
        for (int i = 0; i < 10; i++) {
            NetnsLab.CommandResult r = lab.runInHost(Duration.ofSeconds(60), RhidProcess.launcher().toString(),
                    "probe", "-c", config.toString());
            outputs.add(r.output().strip());
            if (r.exitCode() == 0) {
                passed++;
            }
        }
        System.out.printf("HttpServersIT: rhid probe, timeout 100ms, cold JVM: %d of 10 passed%n%s%n", passed,
                String.join("\n", outputs));
        assertThat(passed).as("runs passed; outputs:\n%s", String.join("\n", outputs)).isEqualTo(10);
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * Fifty services check {@code url} every 500 ms with fall 2 for 30 s from rhid's start: each
     * must rise once and never fall, and no run may fail but by a timeout; then the server is killed and every prefix must leave the
     * router within {@link #WITHDRAW_BOUND}, all in one apply and within {@link #SPREAD_BOUND} of each other.
     */
    void proveAgainst(String name, String url, String checkOptions) throws Exception {
        Path config = Files.writeString(dir.resolve("rhid-" + name.replaceAll("[^a-z0-9]+", "-") + ".yaml"),
                rhidConfig(url, checkOptions));
        long started = System.nanoTime();
        rhid = RhidProcess.start(lab, config, "--log-level", "info");
        awaitRoutes(true, Duration.ofSeconds(20), started);
        long risen = System.nanoTime();
        Map<String, Long> startupFailures = failures(metrics());
        long remaining = RUN_FOR.toNanos() - (risen - started);
        if (remaining > 0) {
            // The test is the absence of events over a span of time: there is nothing to await.
            Thread.sleep(remaining / 1_000_000);
        }
        rhid.assertAlive();
        String metrics = metrics();
        Map<String, Long> transitions = new TreeMap<>();
        Matcher t = TRANSITION.matcher(metrics);
        long rises = 0;
        while (t.find()) {
            long n = Long.parseLong(t.group(4));
            if (n == 0) {
                continue;
            }
            String kind = t.group(2) + "->" + t.group(3);
            if (kind.equals("down->up")) {
                rises += n;
                if (n == 1) {
                    continue;
                }
            }
            transitions.merge(t.group(1) + " " + kind, n, Long::sum);
        }
        Map<String, Long> failures = failures(metrics);
        System.out.printf("HttpServersIT: %s: %d services risen after %d ms; over %d s: false transitions %s, "
                        + "failed runs by reason %s%n", name, rises, (risen - started) / 1_000_000,
                (System.nanoTime() - started) / 1_000_000_000, transitions, failures);
        assertThat(transitions).as("transitions other than each service's one rise (%s); rhid's transitions:\n%s",
                name, String.join("\n", rhid.log().lines().filter(l -> l.contains(" -> ")).toList())).isEmpty();
        assertThat(rises).isEqualTo(SERVICES);
        // A timed-out run is a stall on a busy host (fall 2 absorbs it, as an operator's config
        // would); any other reason after the rise is the client mishandling the server's connections.
        Map<String, Long> since = new TreeMap<>(failures);
        startupFailures.forEach((reason, n) -> since.merge(reason, -n, Long::sum));
        since.values().removeIf(n -> n == 0);
        assertThat(since.keySet()).as("reasons of failed runs after the rise (%s): %s", name, since)
                .isSubsetOf("timeout_after");

        long appliesBefore = okApplies(metrics());
        int logBefore = rhid.log().length();
        int mark = lab.routerWatch().mark();
        long killed = System.nanoTime();
        kill(server);
        Duration gone = awaitRoutes(false, Duration.ofSeconds(10), killed);
        long spread = withdrawalSpread(mark);
        long applies = awaitApplies(appliesBefore) - appliesBefore;
        System.out.printf("HttpServersIT: %s: server killed -> all %d prefixes gone at the router after %d ms; "
                        + "first -> last withdrawal %.1f ms; BIRD applies: %d%n",
                name, SERVICES, gone.toMillis(), spread / 1e6, applies);
        assertThat(gone).as("withdrawn after the kill").isLessThan(WITHDRAW_BOUND);
        String applyLog = String.join("\n", rhid.log().substring(logBefore).lines()
                .filter(l -> l.contains("bird: applied") || l.contains(" -> ")).limit(120).toList());
        assertThat(applies).as("applies for one server's death (%s); rhid's applies and transitions after the kill:\n%s",
                name, applyLog).isEqualTo(1);
        assertThat(Duration.ofNanos(spread)).as("first -> last withdrawal at the router (%s); rhid's log:\n%s", name, applyLog)
                .isLessThan(SPREAD_BOUND);
        assertThat(rhid.stop(Duration.ofSeconds(15))).isZero();
        rhid = null;
    }

    /**
     * From the router's route events since {@code mark}: the time between the first and the last
     * of the services' prefixes being deleted (each prefix's first deletion).
     */
    long withdrawalSpread(int mark) throws InterruptedException {
        Set<String> wanted = new HashSet<>();
        IntStream.range(0, SERVICES).forEach(i -> wanted.add(prefix(i)));
        // awaitRoutes returned on these very events, so they are all there already.
        List<RouteWatch.Event> events = lab.routerWatch().eventsFrom(mark, System.nanoTime());
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (RouteWatch.Event e : events) {
            if (e.deleted() && wanted.remove(e.destination().replaceFirst("/32$", ""))) {
                first = Math.min(first, e.nanos());
                last = Math.max(last, e.nanos());
            }
        }
        assertThat(wanted).as("prefixes whose deletion the router's route events did not show").isEmpty();
        return last - first;
    }

    /**
     * {@code rhid_router_apply_total{daemon="bird",result="ok"}} once it has passed
     * {@code before}, then once more after {@link #LATE_APPLY} (rhid counts an apply just after
     * BIRD took it, so a second apply for the same death would land within that): the count
     * after the death's applies.
     */
    long awaitApplies(long before) {
        long deadline = Patience.deadline(Duration.ofSeconds(5));
        long now = okApplies(metrics());
        while (now <= before && System.nanoTime() - deadline < 0) {
            pause(20); // polling a counter, bounded by the deadline
            now = okApplies(metrics());
        }
        assertThat(now).as("rhid_router_apply_total{result=\"ok\"} after the routes left").isGreaterThan(before);
        // The test is the absence of a further apply over a span of time: there is nothing to await.
        pause(LATE_APPLY.toMillis());
        return okApplies(metrics());
    }

    static long okApplies(String metrics) {
        Matcher m = OK_APPLIES.matcher(metrics);
        assertThat(m.find()).as("rhid_router_apply_total{daemon=\"bird\",result=\"ok\"} in /metrics").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    Map<String, Long> failures(String metrics) {
        Map<String, Long> failures = new TreeMap<>();
        Matcher f = FAILURES.matcher(metrics);
        while (f.find()) {
            failures.merge(f.group(1), Long.parseLong(f.group(2)), Long::sum);
        }
        failures.values().removeIf(n -> n == 0);
        return failures;
    }

    String rhidConfig(String url, String checkOptions) {
        StringBuilder services = new StringBuilder();
        for (int i = 0; i < SERVICES; i++) {
            services.append("""
                    s%d:
                      prefixes: [%s/32]
                      checks:
                        - { type: http, url: "%s"%s }
                    """.formatted(i, prefix(i), url, checkOptions).indent(2));
        }
        return """
                router:
                  bird: { include_file: %s, socket: %s }
                state_dir: %s
                control: { socket: %s }
                status: { listen: "%s" }
                # 100 requests a second, each connection ending as the server ends it; the timeout
                # leaves room for stalls on a host whose cores are saturated (at load 16 on 2 cores,
                # 150 ms timed out twice in a row now and then), which is not what this test is about.
                # fast_interval 150ms: a death is held for linked checks up to 2 x fast_interval, so
                # one apply per death holds while a loaded host spreads the confirmations over 300 ms.
                defaults: { interval: 500ms, fast_interval: 150ms, timeout: 400ms, rise: 2, fall: 2 }
                services:
                %s""".formatted(lab.includeFile(), lab.hostBirdSocket(), lab.workDir().resolve("state"),
                lab.workDir().resolve("control.sock"), STATUS, services);
    }

    NetnsLab.CommandResult probeOnce(String url, String checkOptions) throws IOException {
        Path config = Files.writeString(dir.resolve("probe-once.yaml"), """
                services:
                  web:
                    prefixes: [198.51.100.80/32]
                    checks:
                      - { type: http, url: "%s"%s }
                """.formatted(url, checkOptions));
        return lab.runInHost(Duration.ofSeconds(60), RhidProcess.launcher().toString(), "probe", "-c", config.toString());
    }

    static String prefix(int i) {
        return "198.51.100." + (i + 1);
    }

    /** Waits, through the router's route events, until every service's prefix is present (or absent); time since {@code since}. */
    Duration awaitRoutes(boolean present, Duration timeout, long since) {
        return lab.awaitRoutes(IntStream.range(0, SERVICES).mapToObj(i -> prefix(i) + "/32").toList(), present,
                timeout, since);
    }

    String metrics() {
        NetnsLab.CommandResult r = lab.runInHost(Duration.ofSeconds(10), "curl", "-sf", "http://" + STATUS + "/metrics");
        assertThat(r.exitCode()).as("GET /metrics: %s", r.output()).isZero();
        return r.output();
    }

    // ---------------------------------------------------------------------------------------------
    // Starting servers in the lab host, each with its own files under this run's directory

    /** nginx as one process with its files in {@code nginx-NAME}; TLS on {@code port} when {@code tls} is not empty. */
    Process nginx(String name, int port, String keepAlive, String tls) {
        return new NginxServer(lab, dir.resolve("nginx-" + name), port, keepAlive, tls).start().process();
    }

    Process apache() throws IOException {
        Path home = Files.createDirectories(dir.resolve("apache2"));
        Path www = docroot(home);
        String modules = "/usr/lib/apache2/modules";
        // Defaults on purpose: the event MPM, KeepAlive On, KeepAliveTimeout 5.
        Path conf = Files.writeString(home.resolve("apache2.conf"), """
                ServerRoot %1$s
                LoadModule mpm_event_module %3$s/mod_mpm_event.so
                LoadModule authz_core_module %3$s/mod_authz_core.so
                User nobody
                Group nogroup
                ServerName localhost
                Listen 127.0.0.1:8080
                PidFile %1$s/apache2.pid
                DefaultRuntimeDir %1$s
                ErrorLog %1$s/error.log
                DocumentRoot %2$s
                <Directory %2$s>
                    Require all granted
                </Directory>
                """.formatted(home, www, modules));
        Process p = lab.startInHost(List.of("apache2", "-f", conf.toString(), "-DFOREGROUND"), home.resolve("out.log"));
        lab.awaitListening(p, 8080, "apache2", () -> "its log:\n" + readQuietly(home.resolve("error.log")));
        return p;
    }

    Process lighttpdServer() throws IOException {
        Path home = Files.createDirectories(dir.resolve("lighttpd"));
        Path www = docroot(home);
        Path conf = Files.writeString(home.resolve("lighttpd.conf"), """
                server.document-root = "%2$s"
                server.bind = "127.0.0.1"
                server.port = 8080
                server.pid-file = "%1$s/lighttpd.pid"
                server.errorlog = "%1$s/error.log"
                """.formatted(home, www));
        Process p = lab.startInHost(List.of("lighttpd", "-D", "-f", conf.toString()), home.resolve("out.log"));
        lab.awaitListening(p, 8080, "lighttpd", () -> "its log:\n" + readQuietly(home.resolve("error.log")));
        return p;
    }

    static Path docroot(Path home) throws IOException {
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path www = Files.createDirectories(home.resolve("www"));
        Files.setPosixFilePermissions(www, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path index = Files.writeString(www.resolve("index.html"), "ok\n");
        Files.setPosixFilePermissions(index, PosixFilePermissions.fromString("rw-r--r--"));
        return www;
    }

    /** SIGKILL to the server and every process it started, by PID. */
    static void kill(Process p) {
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : all) {
            h.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        }
    }

    /** A self-signed certificate, and a CA with a server and a client certificate, all by openssl. */
    static void makeCertificates() {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "self.key", "-out", "self.crt", "-days", "1", "-subj", "/CN=rhid-test-self",
                "-addext", "subjectAltName=IP:127.0.0.1");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=rhid-test-ca",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        for (String[] leaf : new String[][] {{"server", "serverAuth", "subjectAltName=IP:127.0.0.1\n"},
                {"client", "clientAuth", ""}}) {
            String name = leaf[0];
            openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=rhid-test-" + name);
            try {
                Files.writeString(pki.resolve(name + ".ext"), leaf[2] + "extendedKeyUsage=" + leaf[1] + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", name + ".crt", "-days", "1", "-extfile", name + ".ext");
        }
    }

    static void openssl(String... args) {
        List<String> argv = new ArrayList<>(List.of("openssl"));
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).directory(pki.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError("openssl " + String.join(" ", args) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool));
    }

    static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file + ")";
        } catch (IOException e) {
            return "(unreadable " + file + ": " + e + ")";
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
