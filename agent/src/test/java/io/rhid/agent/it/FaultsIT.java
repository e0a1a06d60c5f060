package io.rhid.agent.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection against rhid run as a process with real BIRD 2 and a real eBGP peer: the routing
 * daemon missing, killed, hung or refusing to read its file, the include file's disk full or
 * read-only, rhid itself killed, probes that hang, a flapping fleet and a storm of reloads. Every
 * scenario asserts what the router's kernel table holds and what {@code /status} says, and that
 * rhid keeps running unless the scenario stops it. Measured outcomes are printed as
 * {@code FaultsIT: ...} lines.
 *
 * <p>Everything the tests start is stopped by PID in {@link #tearDown()}, which also continues a
 * SIGSTOPped BIRD and unmounts the tmpfs, whatever failed first.
 */
@Tag("integration")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FaultsIT {

    /** Skips the class where the lab cannot run, closes labs after each test, reports on failure. */
    @RegisterExtension
    static final LabExtension LAB = LabExtension.bird();

    static final String WEB = "198.51.100.80/32";
    static final String DNS = "198.51.100.53/32";
    static final int STATUS_PORT = 9793;
    /** From starting rhid to its first announcement at the router (awaitRoute stretches it by Patience). */
    static final Duration STARTUP = Duration.ofSeconds(5);
    static final String FAILED = "bird: apply failed \\(attempt \\d+\\)";
    static final ObjectMapper JSON = new ObjectMapper();
    /** USER_HZ: /proc's CPU times are in these ticks on Linux. */
    static final long TICKS_PER_SECOND = 100;

    @TempDir
    Path dir;

    NetnsLab lab;
    RhidProcess rhid;
    RouteWatch watch;
    /** The host BIRD's PID while a test holds it SIGSTOPped; {@link #tearDown()} continues it. */
    volatile long stoppedBird = -1;
    /** The tmpfs a test mounted; {@link #tearDown()} unmounts it. */
    Path tmpfs;
    /** Connections a test holds open to BIRD's control socket. */
    final List<SocketChannel> held = new ArrayList<>();


    @AfterEach
    void tearDown() {
        List<Throwable> problems = new ArrayList<>();
        quietly(problems, () -> {
            if (stoppedBird > 0) {
                signal("CONT", stoppedBird);
                stoppedBird = -1;
            }
        });
        quietly(problems, () -> held.forEach(FaultsIT::closeQuietly));
        quietly(problems, () -> {
            if (rhid != null) {
                rhid.close();
            }
        });
        quietly(problems, () -> {
            if (watch != null) {
                watch.close();
            }
        });
        quietly(problems, () -> {
            if (lab != null) {
                lab.close();
            }
        });
        quietly(problems, () -> {
            if (tmpfs != null) {
                run(Duration.ofSeconds(10), "umount", tmpfs.toString());
                tmpfs = null;
            }
        });
        if (!problems.isEmpty()) {
            AssertionError e = new AssertionError("cleanup failed: " + problems.get(0), problems.get(0));
            problems.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // 1-3: the routing daemon missing, killed, hung

    @Test
    void runs_without_bird_reports_the_error_and_announces_once_bird_is_started() throws Exception {
        startLab();
        lab.stopHostBird();
        Path config = writeConfig(yaml(lab.includeFile(), "", "1s", "1s", "", fileService("web", WEB)));
        rhid = RhidProcess.start(lab, config);

        rhid.awaitLog("bird: apply failed \\(attempt 4\\)", Duration.ofSeconds(10));
        JsonNode broken = awaitStatus("web up and the router's last apply failed",
                s -> state(s, "web").equals("up") && s.at("/router/last_result").asText().equals("error"),
                Duration.ofSeconds(5));
        assertThat(broken.at("/router/error").asText()).contains("Unable to connect to server control socket");
        assertThat(broken.at("/router/next_retry_millis").asLong()).isPositive();
        assertThat(broken.path("announced")).as("nothing is announced while BIRD is away").isEmpty();
        assertThat(lab.routerKernelRoutes()).doesNotContain(WEB);
        List<Duration> delays = retryDelays();
        System.out.printf("FaultsIT: BIRD not running at start -> apply retried with delays %s%n", text(delays));
        assertThat(delays.get(0)).isEqualTo(Duration.ofMillis(250));
        assertThat(delays).isSorted().allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(1)));
        rhid.assertAlive();

        lab.startHostBird();
        Duration session = lab.waitForSession(Duration.ofSeconds(20));
        long sessionUp = System.nanoTime();
        Duration announced = lab.awaitRoute(WEB, true, Duration.ofSeconds(3), sessionUp);
        System.out.printf("FaultsIT: BIRD started late -> session up after %d ms, route at the router %d ms after the "
                + "session (reconcile_interval 1s)%n", session.toMillis(), announced.toMillis());
        JsonNode ok = awaitStatus("the router's last apply ok", s -> s.at("/router/last_result").asText().equals("ok"),
                Duration.ofSeconds(2));
        assertThat(ok.at("/announced/0/prefix").asText()).isEqualTo(WEB);
        assertThat(ok.at("/router/error").isNull()).isTrue();
        rhid.assertAlive();
    }

    @Test
    void restores_routes_and_status_after_bird_is_killed_and_restarted() throws Exception {
        startLab();
        Files.createFile(maintenance("dns")); // dns starts in maintenance: it changes while BIRD is dead
        Path config = writeConfig(yaml(lab.includeFile(), "", "1s", "1s", "",
                fileService("web", WEB) + fileService("dns", DNS)));
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(WEB, true, Duration.ofSeconds(5));
        rhid.awaitApplied(WEB, Duration.ofSeconds(5)); // rhid's apply is done: disturbing BIRD now cannot cut into it
        awaitStatus("router ok", s -> s.at("/router/last_result").asText().equals("ok"), Duration.ofSeconds(2));

        // 1. Killed and restarted with nothing changing meanwhile: the file BIRD reads is rhid's last good one.
        lab.killHostBird();
        long killed = System.nanoTime();
        Duration lost = lab.awaitRoute(WEB, false, Duration.ofSeconds(5), killed);
        System.out.printf("FaultsIT: BIRD SIGKILLed -> the router dropped the route after %d ms%n", lost.toMillis());
        JsonNode broken = awaitStatus("the router's error", s -> s.at("/router/last_result").asText().equals("error"),
                Duration.ofSeconds(3));
        assertThat(broken.at("/router/error").asText()).contains("Unable to connect to server control socket");
        assertThat(state(broken, "web")).isEqualTo("up");
        double cpu = cpuSeconds(rhid.pid(), Duration.ofSeconds(2));
        System.out.printf("FaultsIT: rhid used %.2f s of CPU in 2 s while BIRD was dead%n", cpu);
        assertThat(cpu).as("rhid does not spin while BIRD is away").isLessThan(0.5);
        rhid.assertAlive();

        lab.startHostBird();
        lab.waitForSession(Duration.ofSeconds(20));
        long sessionUp = System.nanoTime();
        Duration restored = lab.awaitRoute(WEB, true, Duration.ofSeconds(3), sessionUp);
        awaitStatus("the router's last apply ok again", s -> s.at("/router/last_result").asText().equals("ok"),
                Duration.ofSeconds(3));
        Duration okAgain = Duration.ofNanos(System.nanoTime() - sessionUp);
        System.out.printf("FaultsIT: BIRD restarted -> route back %d ms after the session came up (from the file it "
                + "read), /status ok again within %d ms%n", restored.toMillis(), okAgain.toMillis());

        // 2. Killed again, and a service comes up while BIRD is dead: applied once BIRD is back.
        lab.killHostBird();
        lab.awaitRoute(WEB, false, Duration.ofSeconds(5));
        Files.delete(maintenance("dns"));
        awaitStatus("dns up", s -> state(s, "dns").equals("up"), Duration.ofSeconds(3));
        rhid.awaitLog("bird: apply failed \\(attempt \\d+\\).*Unable to connect", Duration.ofSeconds(3));
        assertThat(lab.routerKernelRoutes()).doesNotContain(DNS);
        lab.startHostBird();
        lab.waitForSession(Duration.ofSeconds(20));
        sessionUp = System.nanoTime();
        Duration web = lab.awaitRoute(WEB, true, Duration.ofSeconds(3), sessionUp);
        Duration dns = lab.awaitRoute(DNS, true, Duration.ofSeconds(3), sessionUp);
        System.out.printf("FaultsIT: BIRD restarted with a change pending -> web back after %d ms, dns announced after "
                + "%d ms (reconcile_interval 1s)%n", web.toMillis(), dns.toMillis());
        JsonNode after = awaitStatus("both announced", s -> s.at("/router/last_result").asText().equals("ok")
                && s.path("announced").size() == 2, Duration.ofSeconds(2));
        assertThat(after.path("announced").findValuesAsText("prefix")).containsExactlyInAnyOrder(WEB, DNS);
        rhid.assertAlive();
    }

    @Test
    void times_out_backs_off_and_converges_when_bird_hangs_on_its_socket() throws Exception {
        startLab();
        Path config = writeConfig(yaml(lab.includeFile(), "", "2s", "1s", "", fileService("web", WEB)));
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(WEB, true, Duration.ofSeconds(5));
        rhid.awaitApplied(WEB, Duration.ofSeconds(5)); // rhid's apply is done: disturbing BIRD now cannot cut into it
        awaitStatus("router ok", s -> s.at("/router/last_result").asText().equals("ok"), Duration.ofSeconds(2));
        watch = new RouteWatch(lab.routerNetns());

        stoppedBird = lab.hostBirdPid();
        signal("STOP", stoppedBird);
        Files.createFile(maintenance("web")); // a withdrawal is now pending
        // An apply's error, not a drift check's: a drift check that hung first reports no duration.
        JsonNode hung = awaitStatus("the router's apply error", s -> s.at("/router/last_result").asText().equals("error")
                && !s.at("/router/error").asText().startsWith("drift check"), Duration.ofSeconds(4));
        assertThat(hung.at("/router/error").asText()).contains("timed out").contains("no reply within the time limit");
        // The lower bound is the point (cut at command_timeout 1s, not earlier); the upper one only
        // says it was cut at all, so it is loose enough for a machine whose cores are saturated.
        assertThat(hung.at("/router/last_duration_ms").asDouble()).as("one command, cut at command_timeout 1s")
                .isBetween(950.0, 1000.0 + Patience.of(Duration.ofSeconds(2)).toMillis());
        assertThat(state(hung, "web")).isEqualTo("down");
        assertThat(hung.path("announced").findValuesAsText("prefix")).as("the last good state").containsExactly(WEB);

        awaitLine(FAILED, 4, Duration.ofSeconds(6));
        // BIRD's listen queue fills up while it hangs (each timed-out attempt leaves a connection
        // in it, and so would other birdc users); fill the rest, and rhid must still time out.
        int queued = fillListenQueue(lab.hostBirdSocket());
        String next = awaitLine(FAILED, (int) rhid.count(FAILED) + 1, Duration.ofSeconds(4));
        assertThat(next).contains("accepts no connections").contains("timed out");
        List<Duration> delays = retryDelays();
        System.out.printf("FaultsIT: BIRD SIGSTOPped -> every apply cut at %.0f ms (command_timeout 1s), retried with "
                + "delays %s; %d more connections filled its listen queue and rhid still timed out%n",
                hung.at("/router/last_duration_ms").asDouble(), text(delays), queued);
        // Doubling from 250ms up to reconcile_interval (a drift check that timed out just before
        // the change would have taken the first step).
        assertThat(delays.get(0)).isLessThanOrEqualTo(Duration.ofMillis(500));
        assertThat(delays).isSorted().contains(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(2)));
        assertThat(lab.routerKernelRoutes()).as("the router keeps the last good routes").contains(WEB);
        assertThat(watch.events(true)).isEmpty();
        rhid.assertAlive();

        signal("CONT", stoppedBird);
        stoppedBird = -1;
        long resumed = System.nanoTime();
        Duration withdrawn = lab.awaitRoute(WEB, false, Duration.ofSeconds(4), resumed);
        System.out.printf("FaultsIT: BIRD continued -> the pending withdrawal reached the router %d ms later "
                + "(the next retry was at most reconcile_interval 2s away)%n", withdrawn.toMillis());
        awaitStatus("router ok, nothing announced", s -> s.at("/router/last_result").asText().equals("ok")
                && s.path("announced").isEmpty(), Duration.ofSeconds(2));
        rhid.assertAlive();
    }

    @Test
    void times_out_backs_off_and_leaks_nothing_when_birdc_hangs() throws Exception {
        startLab();
        Path fake = lab.workDir().resolve("fake-birdc");
        Files.writeString(fake, "#!/bin/sh\n# A birdc that hangs, as a stuck BIRD would make it.\necho \"BIRD 2.0.12 ready.\"\n"
                + "sleep 600\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path config = writeConfig(yaml(lab.includeFile(), "\n    birdc: " + fake, "2s", "1s", "", fileService("web", WEB)));
        rhid = RhidProcess.start(lab, config);
        long pid = rhid.pid();

        rhid.awaitLog("bird: apply failed \\(attempt 2\\)", Duration.ofSeconds(6));
        JsonNode broken = awaitStatus("web up and the router's error", s -> state(s, "web").equals("up")
                && s.at("/router/last_result").asText().equals("error"), Duration.ofSeconds(3));
        assertThat(broken.at("/router/error").asText()).contains("timed out").contains("killed after 1000 ms");
        assertThat(broken.path("announced")).isEmpty();
        String netns = netnsOf(pid);

        List<Integer> threads = new ArrayList<>();
        List<Integer> children = new ArrayList<>();
        List<Integer> sleeps = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            threads.add(threads(pid));
            children.add(children(pid).size());
            sleeps.add(sleepsIn(netns, 0).size());
            Thread.sleep(1000);
        }
        List<Duration> delays = retryDelays();
        System.out.printf("FaultsIT: hanging birdc -> retry delays %s; over 10 s rhid had threads %s, child processes %s, "
                + "sleep processes in its namespace %s%n", text(delays), threads, children, sleeps);
        assertThat(delays.get(0)).isEqualTo(Duration.ofMillis(250));
        assertThat(delays).isSorted().contains(Duration.ofSeconds(2));
        // At most one birdc per caller, killed with its children when it times out: the apply's,
        // and the export query's, which runs on its own thread every reconcile_interval so the
        // loop never waits for it (on a loaded machine the two overlap now and then).
        assertThat(children).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
        assertThat(sleeps).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
        assertThat(sleepsIn(netns, 2)).as("no birdc child outlives its timeout").isEmpty();
        // Flat, not growing per retry: a few threads start lazily in the first seconds (the export
        // query's, the status server's renderer), so compare the end with the first half's peak.
        assertThat(threads.get(threads.size() - 1)).as("threads %s", threads)
                .isLessThanOrEqualTo(java.util.Collections.max(threads.subList(0, threads.size() / 2)) + 1);
        assertThat(lab.routerKernelRoutes()).doesNotContain(WEB);
        rhid.assertAlive();

        // BIRD never answers: rhid retries for Withdrawal.BOUND (15 s), then exits 69, unconfirmed.
        assertThat(rhid.stop(Duration.ofSeconds(40))).isEqualTo(69);
        assertThat(rhid.log()).contains("could not confirm the withdrawal on stop");
        assertThat(awaitNoSleeps(netns)).as("birdc's processes after rhid stopped").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // 4-5: the include file's disk, rhid killed

    @Test
    void keeps_the_last_good_file_and_routes_when_the_include_file_disk_is_full_or_read_only() throws Exception {
        // The include file lives on a 64 KiB tmpfs; the lab's include path (which the host's
        // bird.conf names) is a symlink to it, and rhid writes the real path atomically.
        Path mount = Files.createDirectories(dir.resolve("inc"));
        run(Duration.ofSeconds(10), "mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", mount.toString());
        tmpfs = mount;
        Path include = mount.resolve("rhid.conf");
        Files.writeString(include, NetnsLab.emptyIncludeFile());
        Files.createSymbolicLink(dir.resolve("rhid.conf"), include);
        startLab();
        assertThat(lab.includeFile()).isEqualTo(dir.resolve("rhid.conf"));
        Path config = writeConfig(yaml(include, "", "1s", "1s", "", fileService("web", WEB)));
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(WEB, true, Duration.ofSeconds(5)); // BIRD follows the symlink
        awaitStatus("router ok", s -> s.at("/router/last_result").asText().equals("ok"), Duration.ofSeconds(2));
        watch = new RouteWatch(lab.routerNetns());

        // Disk full.
        String good = Files.readString(include);
        Path filler = mount.resolve("filler");
        long filled = fill(filler, 1 << 20);
        Files.createFile(maintenance("web"));
        JsonNode full = awaitStatus("the router's error", s -> s.at("/router/last_result").asText().equals("error"),
                Duration.ofSeconds(3));
        assertThat(full.at("/router/error").asText()).contains("cannot write " + include).contains("No space left on device");
        assertThat(Files.readString(include)).as("the last good file, intact").isEqualTo(good);
        assertThat(listing(mount)).contains("rhid.conf", "filler");
        Thread.sleep(500);
        assertThat(lab.routerKernelRoutes()).as("BIRD keeps the last good routes").contains(WEB);
        assertThat(watch.events(true)).isEmpty();
        rhid.assertAlive();
        Files.delete(filler);
        long freed = System.nanoTime();
        Duration repaired = lab.awaitRoute(WEB, false, Duration.ofSeconds(3), freed);
        awaitStatus("router ok", s -> s.at("/router/last_result").asText().equals("ok"), Duration.ofSeconds(2));
        assertThat(listing(mount)).as("no temp file left behind").containsExactly("rhid.conf");
        System.out.printf("FaultsIT: include file's disk full (%d bytes of filler) -> error in /status, file and routes "
                + "kept; space freed -> pending withdrawal applied %d ms later%n", filled, repaired.toMillis());

        // Read-only.
        good = Files.readString(include);
        run(Duration.ofSeconds(10), "mount", "-o", "remount,ro", mount.toString());
        Files.delete(maintenance("web"));
        JsonNode readOnly = awaitStatus("the router's error", s -> s.at("/router/last_result").asText().equals("error"),
                Duration.ofSeconds(3));
        assertThat(readOnly.at("/router/error").asText()).contains("cannot write " + include).contains("Read-only file system");
        assertThat(state(readOnly, "web")).isEqualTo("up");
        assertThat(Files.readString(include)).isEqualTo(good);
        Thread.sleep(500);
        assertThat(lab.routerKernelRoutes()).doesNotContain(WEB);
        rhid.assertAlive();
        run(Duration.ofSeconds(10), "mount", "-o", "remount,rw", mount.toString());
        long writable = System.nanoTime();
        Duration announced = lab.awaitRoute(WEB, true, Duration.ofSeconds(3), writable);
        awaitStatus("router ok", s -> s.at("/router/last_result").asText().equals("ok"), Duration.ofSeconds(2));
        System.out.printf("FaultsIT: include file's disk read-only -> error in /status, file and routes kept; writable "
                + "again -> pending announcement applied %d ms later%n", announced.toMillis());
        rhid.assertAlive();
    }

    @Test
    void leaves_routes_announced_when_killed_and_withdraw_all_removes_them() throws Exception {
        startLab();
        Path config = writeConfig(yaml(lab.includeFile(), "", "1s", "1s", "addresses: { remove_when_down: true }",
                fileService("web", WEB)));
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(WEB, true, Duration.ofSeconds(5));
        JsonNode before = awaitStatus("web announced", s -> s.path("announced").size() == 1, Duration.ofSeconds(2));
        assertThat(before.at("/announced/0/prefix").asText()).isEqualTo(WEB);
        watch = new RouteWatch(lab.routerNetns());

        signal("KILL", rhid.pid());
        assertThat(rhid.process().waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(rhid.process().exitValue()).isEqualTo(137);
        Thread.sleep(2000);
        assertThat(watch.events(true)).as("nothing withdrawn by a killed rhid").isEmpty();
        assertThat(lab.routerKernelRoutes()).contains(WEB);
        NetnsLab.CommandResult status = cli("status", "--json", "--socket", lab.workDir().resolve("control.sock").toString());
        assertThat(status.exitCode()).as(status.output()).isEqualTo(69);

        long started = System.nanoTime();
        NetnsLab.CommandResult withdraw = cli("withdraw-all", "-c", config.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(withdraw.exitCode()).as(withdraw.output()).isZero();
        assertThat(withdraw.output()).contains("rhid withdraw-all: wrote an empty " + lab.includeFile() + " and reconfigured BIRD",
                "rhid withdraw-all: removed the addresses rhid added to lo");
        Duration gone = lab.awaitRoute(WEB, false, Duration.ofSeconds(1));
        System.out.printf("FaultsIT: rhid SIGKILLed -> route stayed 2 s; rhid withdraw-all exited 0 after %d ms and the "
                + "route left the router %d ms later%n", took.toMillis(), gone.toMillis());
        assertThat(lab.runInHost(Duration.ofSeconds(5), "ip", "address", "show", "dev", "lo").output())
                .doesNotContain("198.51.100.80");
        assertThat(Files.readString(lab.includeFile())).doesNotContain("198.51.100.80");
    }

    // ---------------------------------------------------------------------------------------------
    // issue 13, items 1-4: every way rhid stops ends withdrawn

    @Test
    void withdraw_all_works_from_the_record_of_the_last_apply_when_the_config_is_broken_or_missing() throws Exception {
        startLab();
        String good = yaml(lab.includeFile(), "", "1s", "1s", "addresses: { remove_when_down: true }", fileService("web", WEB));
        Path config = writeConfig(good);
        Path state = lab.workDir().resolve("state");
        Path record = state.resolve("applied.json");
        for (String fault : List.of("a YAML syntax error", "the config file deleted")) {
            rhid = RhidProcess.start(lab, config);
            lab.awaitRoute(WEB, true, STARTUP);
            awaitFile(record, "\"" + WEB + "\"", Duration.ofSeconds(3)); // written just after the apply
            assertThat(Files.readString(record)).contains("\"include_file\" : \"" + lab.includeFile() + "\"",
                    "\"protocol_v4\" : \"rhid4\"", "\"" + WEB + "\"");
            signal("KILL", rhid.pid());
            assertThat(rhid.process().waitFor(5, TimeUnit.SECONDS)).isTrue();
            if (fault.startsWith("a YAML")) {
                Files.writeString(config, good.replace("services:", "services: [unclosed"));
            } else {
                Files.delete(config);
            }
            long started = System.nanoTime();
            NetnsLab.CommandResult w = cli("withdraw-all", "-c", config.toString(), "--state-dir", state.toString());
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(w.exitCode()).as(w.output()).isZero();
            assertThat(w.output()).contains("rhid withdraw-all: cannot use " + config,
                    "rhid withdraw-all: using the record of the last apply, " + record,
                    "wrote an empty " + lab.includeFile() + " and reconfigured BIRD; it holds no route of rhid4 or rhid6",
                    "rhid withdraw-all: removed the addresses rhid added to lo");
            Duration gone = lab.awaitRoute(WEB, false, Duration.ofSeconds(2), started);
            assertThat(lab.runInHost(Duration.ofSeconds(5), "ip", "address", "show", "dev", "lo").output())
                    .doesNotContain("198.51.100.80");
            System.out.printf("FaultsIT: rhid SIGKILLed, then %s -> withdraw-all used the record, exited 0 after %d ms; "
                    + "route gone at the router %d ms after withdraw-all started%n", fault, took.toMillis(), gone.toMillis());
            writeConfig(good);
        }
    }

    @Test
    void disables_rhids_protocols_when_the_include_file_cannot_be_written_and_the_next_start_enables_them() throws Exception {
        Path mount = Files.createDirectories(dir.resolve("inc"));
        run(Duration.ofSeconds(10), "mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", mount.toString());
        tmpfs = mount;
        Path include = mount.resolve("rhid.conf");
        Files.writeString(include, NetnsLab.emptyIncludeFile());
        Files.createSymbolicLink(dir.resolve("rhid.conf"), include);
        startLab();
        Path config = writeConfig(yaml(include, "", "1s", "1s", "", fileService("web", WEB)));
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(WEB, true, STARTUP);

        // Disk full, then SIGTERM: the stop path cannot write the file and disables the protocols.
        Path filler = mount.resolve("filler");
        fill(filler, 1 << 20);
        long term = System.nanoTime();
        rhid.process().destroy();
        Duration gone = lab.awaitRoute(WEB, false, Duration.ofSeconds(5), term);
        assertThat(rhid.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(rhid.process().exitValue()).as(rhid.log()).isZero();
        assertThat(rhid.log()).contains("No space left on device", "rhid4 and rhid6 were disabled instead");
        assertThat(lab.hostBirdc("show", "protocols", "rhid4").output()).containsPattern("rhid4\\s+Static\\s+master4\\s+down");
        assertThat(Files.readString(include)).as("the old file stays").contains("198.51.100.80/32");
        System.out.printf("FaultsIT: include file's disk full, SIGTERM -> protocols disabled, route gone at the router "
                + "%d ms after SIGTERM, rhid exited 0%n", gone.toMillis());

        // Space freed, rhid started: the file is rewritten, the protocols enabled, the route back.
        Files.delete(filler);
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(WEB, true, STARTUP);
        assertThat(lab.hostBirdc("show", "protocols", "rhid4").output()).containsPattern("rhid4\\s+Static\\s+master4\\s+up");
        assertThat(lab.hostBirdc("show", "protocols", "rhid6").output()).containsPattern("rhid6\\s+Static\\s+master6\\s+up");

        // Read-only, rhid killed: withdraw-all disables the protocols.
        signal("KILL", rhid.pid());
        assertThat(rhid.process().waitFor(5, TimeUnit.SECONDS)).isTrue();
        run(Duration.ofSeconds(10), "mount", "-o", "remount,ro", mount.toString());
        long started = System.nanoTime();
        NetnsLab.CommandResult w = cli("withdraw-all", "-c", config.toString());
        assertThat(w.exitCode()).as(w.output()).isZero();
        assertThat(w.output()).contains("cannot write " + include + ": Read-only file system",
                "rhid4 and rhid6 were disabled instead; BIRD holds no route of them");
        Duration roGone = lab.awaitRoute(WEB, false, Duration.ofSeconds(2), started);
        System.out.printf("FaultsIT: include file's disk read-only, rhid SIGKILLed -> withdraw-all disabled the protocols, "
                + "route gone at the router %d ms after it started, exit 0%n", roGone.toMillis());

        run(Duration.ofSeconds(10), "mount", "-o", "remount,rw", mount.toString());
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(WEB, true, STARTUP);
        assertThat(lab.hostBirdc("show", "protocols", "rhid4").output()).containsPattern("rhid4\\s+Static\\s+master4\\s+up");
        assertThat(rhid.stop(Duration.ofSeconds(20))).isZero();
        lab.awaitRoute(WEB, false, Duration.ofSeconds(2));
        assertThat(Files.readString(include)).as("rewritten empty on stop").doesNotContain("198.51.100.80/32");
    }

    @Test
    void withdraws_once_bird_resumes_when_bird_is_stopped_during_sigterm_and_during_withdraw_all() throws Exception {
        startLab();
        Path config = writeConfig(yaml(lab.includeFile(), "", "1s", "1s", "", fileService("web", WEB)));
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(WEB, true, STARTUP);

        // SIGTERM while BIRD is stopped; BIRD continues within the bound.
        stoppedBird = lab.hostBirdPid();
        signal("STOP", stoppedBird);
        long term = System.nanoTime();
        rhid.process().destroy();
        rhid.awaitLog("withdrawal on stop failed", Duration.ofSeconds(10));
        // BIRD stays stopped 3 s more: several fallback attempts time out (command_timeout 1s).
        assertThat(rhid.process().waitFor(3, TimeUnit.SECONDS)).as("rhid keeps trying while BIRD is stopped").isFalse();
        assertThat(lab.routerKernelRoutes()).as("BIRD is stopped: the router still has the route").contains(WEB);
        signal("CONT", stoppedBird);
        stoppedBird = -1;
        long resumed = System.nanoTime();
        Duration gone = lab.awaitRoute(WEB, false, Duration.ofSeconds(5), resumed);
        assertThat(rhid.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(rhid.process().exitValue()).as(rhid.log()).isZero();
        System.out.printf("FaultsIT: BIRD SIGSTOPped, rhid SIGTERMed, BIRD continued %d ms later -> route gone at the "
                + "router %d ms after SIGCONT (%d ms after SIGTERM), rhid exited 0%n", (resumed - term) / 1_000_000,
                gone.toMillis(), gone.toMillis() + (resumed - term) / 1_000_000);

        // withdraw-all while BIRD is stopped (rhid killed first).
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(WEB, true, STARTUP);
        signal("KILL", rhid.pid());
        assertThat(rhid.process().waitFor(5, TimeUnit.SECONDS)).isTrue();
        stoppedBird = lab.hostBirdPid();
        signal("STOP", stoppedBird);
        Path out = lab.workDir().resolve("withdraw-all.out");
        long started = System.nanoTime();
        Process w = lab.startInHost(List.of(RhidProcess.launcher().toString(), "withdraw-all", "-c", config.toString()), out);
        // BIRD stays stopped for 3 s: longer than command_timeout, so attempts time out meanwhile.
        assertThat(w.waitFor(3, TimeUnit.SECONDS)).as("withdraw-all waits for BIRD").isFalse();
        signal("CONT", stoppedBird);
        stoppedBird = -1;
        resumed = System.nanoTime();
        Duration wGone = lab.awaitRoute(WEB, false, Duration.ofSeconds(5), resumed);
        assertThat(w.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(out);
        assertThat(w.exitValue()).as(output).isZero();
        // Either an attempt timed out and a later one withdrew, or (when the JVM started slowly) the
        // first attempt's configure waited in BIRD's socket and landed when BIRD continued.
        assertThat(output).contains("reconfigured BIRD; it holds no route of rhid4 or rhid6");
        System.out.printf("FaultsIT: BIRD SIGSTOPped during withdraw-all for %d ms -> route gone at the router %d ms after "
                + "SIGCONT, withdraw-all exited 0 after %d ms, %d failed attempt(s) before%n", (resumed - started) / 1_000_000,
                wGone.toMillis(), (System.nanoTime() - started) / 1_000_000, output.lines().filter(l -> l.contains("failed:")).count());
    }

    @Test
    void withdraw_all_refuses_while_rhid_runs_and_names_drain_all() throws Exception {
        startLab();
        Path config = writeConfig(yaml(lab.includeFile(), "", "1s", "1s", "",
                fileService("web", WEB) + "  drain_hold: 0s\n"));
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute(WEB, true, STARTUP);
        awaitStatus("web announced", s -> s.path("announced").size() == 1, Duration.ofSeconds(2));
        watch = new RouteWatch(lab.routerNetns());

        NetnsLab.CommandResult w = cli("withdraw-all", "-c", config.toString());
        assertThat(w.exitCode()).as(w.output()).isEqualTo(1);
        assertThat(w.output()).contains("rhid is running", "rhid drain --all", "rhid resume --all");
        Thread.sleep(2500); // two reconcile intervals: nothing may have been withdrawn meanwhile
        assertThat(watch.events(true)).as("withdraw-all changed nothing").isEmpty();
        assertThat(Files.readString(lab.includeFile())).contains("198.51.100.80/32");

        NetnsLab.CommandResult drain = cli("drain", "--all", "--socket", lab.workDir().resolve("control.sock").toString());
        assertThat(drain.exitCode()).as(drain.output()).isZero();
        lab.awaitRoute(WEB, false, Duration.ofSeconds(3));
        awaitStatus("web drained", s -> state(s, "web").equals("drained"), Duration.ofSeconds(2));
        rhid.assertAlive();
    }

    // ---------------------------------------------------------------------------------------------
    // 6: probes that misbehave

    @Test
    void counts_hanging_probes_as_failed_within_their_timeout_without_leaking() throws Exception {
        startLab();
        // A TCP server that accepts and never answers, and an HTTP server that sends its headers,
        // promises a body and stalls.
        Process servers = lab.startInHost(List.of(lab.python3().toString(), "-c", """
                import socket, threading, time
                held = []
                def silent(c):
                    pass
                def stall(c):
                    try:
                        c.settimeout(5)
                        c.recv(4096)
                        c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: 100\\r\\n\\r\\n")
                    except OSError:
                        pass
                def serve(port, handler):
                    s = socket.socket()
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("127.0.0.1", port))
                    s.listen(64)
                    while True:
                        c, _ = s.accept()
                        held.append(c)
                        threading.Thread(target=handler, args=(c,), daemon=True).start()
                for port, handler in ((7001, silent), (7002, stall)):
                    threading.Thread(target=serve, args=(port, handler), daemon=True).start()
                time.sleep(600)
                """), lab.workDir().resolve("servers.log"));
        awaitPort(7001, servers);
        awaitPort(7002, servers);
        String services = """
                silent:
                  prefixes: [198.51.100.21/32]
                  checks:
                    - { type: tcp, address: "127.0.0.1:7001", send: "PING\\n", expect: PONG, interval: 500ms, timeout: 300ms }
                forks:
                  prefixes: [198.51.100.22/32]
                  checks:
                    - { type: exec, command: [/bin/sh, -c, 'trap "" TERM; sleep 600 & sleep 600'], interval: 500ms, timeout: 300ms }
                stalls:
                  prefixes: [198.51.100.23/32]
                  checks:
                    - { type: http, url: "http://127.0.0.1:7002/", interval: 500ms, timeout: 300ms }
                """ + fileService("healthy", "198.51.100.20/32");
        Path config = writeConfig(yaml(lab.includeFile(), "", "1s", "1s", "", services));
        rhid = RhidProcess.start(lab, config);
        long pid = rhid.pid();
        lab.awaitRoute("198.51.100.20/32", true, Duration.ofSeconds(5));
        JsonNode status = awaitStatus("every hanging check has failed twice", s -> Stream.of("silent", "forks", "stalls")
                .allMatch(n -> check(s, n).path("consecutive_failures").asInt() >= 2), Duration.ofSeconds(5));
        String netns = netnsOf(pid);

        List<Integer> threads = new ArrayList<>();
        List<Integer> children = new ArrayList<>();
        List<Integer> sleeps = new ArrayList<>();
        for (int i = 0; i < 8; i++) { // 8 s: 16 runs of each check
            threads.add(threads(pid));
            children.add(children(pid).size());
            sleeps.add(sleepsIn(netns, 0).size());
            assertThat(sleepsIn(netns, 2)).as("a sleep 600 of the exec check outlived its run").isEmpty();
            Thread.sleep(1000);
        }
        status = status();
        for (String name : List.of("silent", "forks", "stalls")) {
            JsonNode c = check(status, name);
            System.out.printf("FaultsIT: %s check %s -> %s after %.1f ms: %s (%d consecutive failures)%n", name,
                    c.path("type").asText(), c.path("last_result").asText(), c.path("latency_ms").asDouble(),
                    c.path("reason").asText(), c.path("consecutive_failures").asInt());
            assertThat(state(status, name)).isEqualTo("down");
            assertThat(c.path("last_result").asText()).isEqualTo("fail");
            assertThat(c.path("reason").asText()).isEqualTo("timeout after 300ms");
            // Cut at the 300ms timeout: not before it (the point), and not much after, loosely.
            assertThat(c.path("latency_ms").asDouble()).isBetween(250.0, 300.0 + Patience.of(Duration.ofMillis(500)).toMillis());
            assertThat(c.path("consecutive_failures").asInt()).isGreaterThanOrEqualTo(10);
        }
        assertThat(state(status, "healthy")).isEqualTo("up");
        assertThat(lab.routerKernelRoutes()).contains("198.51.100.20/32")
                .doesNotContain("198.51.100.21/32", "198.51.100.22/32", "198.51.100.23/32");
        System.out.printf("FaultsIT: hanging probes for 8 s -> rhid threads %s, child processes %s, sleep processes in "
                + "its namespace %s%n", threads, children, sleeps);
        // At most one exec run (one sh, briefly a kill) at a time; its two sleeps die with it.
        assertThat(children).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
        assertThat(sleeps).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
        // Flat, not growing per retry: a few threads start lazily in the first seconds (the export
        // query's, the status server's renderer), so compare the end with the first half's peak.
        assertThat(threads.get(threads.size() - 1)).as("threads %s", threads)
                .isLessThanOrEqualTo(java.util.Collections.max(threads.subList(0, threads.size() / 2)) + 1);
        assertThat(threads.stream().mapToInt(Integer::intValue).max().orElseThrow()).isLessThanOrEqualTo(threads.get(0) + 4);
        rhid.assertAlive();
        // A run in flight when rhid stops is killed with it: see the next test.
    }

    @Test
    void leaves_no_exec_check_process_behind_when_stopped_mid_run() throws Exception {
        startLab();
        Path config = writeConfig(yaml(lab.includeFile(), "", "1s", "1s", "", """
                forks:
                  prefixes: [198.51.100.22/32]
                  checks:
                    - { type: exec, command: [/bin/sh, -c, 'trap "" TERM; sleep 600 & sleep 600'], interval: 3s, timeout: 2s }
                """));
        rhid = RhidProcess.start(lab, config);
        // Read the namespace once rhid runs: right after the launch, ip netns exec may not have
        // entered the host namespace yet.
        rhid.awaitLog("started: ", Duration.ofSeconds(20));
        String netns = netnsOf(rhid.pid());
        // Start-up plus a first run splayed within the 3 s interval; then each run lasts its 2 s timeout.
        for (int i = 0; i < 200 && sleepsIn(netns, 0).size() < 2; i++) {
            Thread.sleep(50);
        }
        assertThat(sleepsIn(netns, 0)).as("a run in flight; rhid's log:\n%s", rhid.log()).hasSize(2);
        assertThat(rhid.stop(Duration.ofSeconds(15))).isZero();
        assertThat(awaitNoSleeps(netns)).as("sleep 600 processes after rhid stopped").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // 7: load: a storm of reloads (the flapping fleet's soak is bench/FlapSoakBench)

    @Test
    void ends_in_the_last_valid_config_after_a_sighup_storm_without_withdrawing_the_unchanged_service() throws Exception {
        startLab();
        String a = fileService("a", "198.51.100.10/32");
        String b = fileService("b", "198.51.100.11/32");
        // Damping off: b's 25 re-additions would otherwise count as flaps and hold it withdrawn.
        String top = "flap: { max_changes: 0 }";
        String aOnly = yaml(lab.includeFile(), "", "1s", "1s", top, a);
        String aAndB = yaml(lab.includeFile(), "", "1s", "1s", top, a + b);
        List<String> invalid = List.of(
                aAndB.replace("198.51.100.11/32", "198.51.100.11/24"),            // host bits set
                aAndB + "  c: { prefixes: [198.51.100.12/32], checks: [ }\n",      // YAML syntax error
                aOnly.replace("reconcile_interval: 1s", "reconcile_interval: 1"),  // bare number
                aAndB.replace("rise: 1", "rise: 0"));                              // out of range
        Path config = writeConfig(aOnly);
        rhid = RhidProcess.start(lab, config);
        lab.awaitRoute("198.51.100.10/32", true, Duration.ofSeconds(5));
        watch = new RouteWatch(lab.routerNetns());
        long reloaded0 = rhid.count("reload: reloaded ");
        long refused0 = rhid.count("reload: \\d+ errors? in .*nothing changed");

        long start = System.nanoTime();
        String lastValid = aOnly;
        for (int i = 0; i < 100; i++) { // 10 s, every 100 ms
            long wait = start + i * 100_000_000L - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String text;
            if (i % 2 == 1) {
                text = invalid.get((i / 2) % invalid.size());
            } else {
                text = (i / 2) % 2 == 0 ? aOnly : aAndB;
                lastValid = text;
            }
            replace(config, text);
            signal("HUP", rhid.pid());
        }
        assertThat(lastValid).as("the last valid file adds b").isEqualTo(aAndB);
        long deadline = Patience.deadline(Duration.ofSeconds(5));
        while (rhid.count("reload: reloaded ") - reloaded0 + rhid.count("reload: \\d+ errors? in .*nothing changed")
                - refused0 < 100 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        long reloaded = rhid.count("reload: reloaded ") - reloaded0;
        long refused = rhid.count("reload: \\d+ errors? in .*nothing changed") - refused0;

        lab.awaitRoute("198.51.100.11/32", true, Duration.ofSeconds(3));
        JsonNode status = awaitStatus("a and b up and announced", s -> s.path("services").size() == 2
                && state(s, "a").equals("up") && state(s, "b").equals("up") && s.path("announced").size() == 2,
                Duration.ofSeconds(3));
        assertThat(status.path("announced").findValuesAsText("prefix")).containsExactly("198.51.100.10/32", "198.51.100.11/32");
        assertThat(lab.routerKernelRoutes()).contains("198.51.100.10/32", "198.51.100.11/32");
        long bAdded = watch.events(false).stream().filter(e -> e.destination().equals("198.51.100.11")).count();
        long bDeleted = watch.events(true).stream().filter(e -> e.destination().equals("198.51.100.11")).count();
        System.out.printf("FaultsIT: 100 SIGHUPs in %d ms -> %d reloads applied, %d refused; b announced %d and withdrawn "
                + "%d times at the router, a never withdrawn; final state = the last valid file%n",
                Duration.ofNanos(System.nanoTime() - start).toMillis(), reloaded, refused, bAdded, bDeleted);
        assertThat(watch.events(true)).as("no withdrawal of a").noneMatch(e -> e.destination().equals("198.51.100.10"));
        // Each SIGHUP reloads the file as it is when rhid handles the signal; on a busy machine that
        // can be the next one already, and signals that arrive while one is pending merge (POSIX
        // does not queue them). So the split between applied and refused reloads varies; what
        // must hold is that none is lost twice over, the last valid file wins and a is never withdrawn.
        assertThat(reloaded + refused).isBetween(10L, 100L);
        assertThat(reloaded).isPositive();
        assertThat(refused).isPositive();
        rhid.assertAlive();
    }

    // ---------------------------------------------------------------------------------------------
    // Lab, config and status

    void startLab() {
        lab = LAB.start(dir);
        lab.waitForSession(Duration.ofSeconds(20));
    }

    Path maintenance(String service) {
        return lab.workDir().resolve("maintenance-" + service);
    }

    /** A service with one file check: up while {@link #maintenance} of it does not exist. */
    String fileService(String name, String prefix) {
        return """
                %s:
                  prefixes: [%s]
                  checks:
                    - { type: file, path: %s }
                """.formatted(name, prefix, maintenance(name));
    }

    /**
     * rhid's config: {@code top} is YAML at the top level (it may override {@code defaults});
     * checks run every 200 ms and rise and fall after one result unless it does.
     */
    String yaml(Path include, String birdExtra, String reconcile, String commandTimeout, String top, String services) {
        String defaults = top.contains("defaults:") ? "" : "defaults: { interval: 200ms, timeout: 100ms, rise: 1, fall: 1 }\n";
        return """
                router:
                  bird:
                    include_file: %s
                    socket: %s%s
                  reconcile_interval: %s
                  command_timeout: %s
                state_dir: %s
                control: { socket: %s }
                status: { listen: "127.0.0.1:%d" }
                %s%s
                services:
                %s""".formatted(include, lab.hostBirdSocket(), birdExtra, reconcile, commandTimeout,
                lab.workDir().resolve("state"), lab.workDir().resolve("control.sock"), STATUS_PORT, defaults, top,
                services.indent(2));
    }

    Path writeConfig(String yaml) throws IOException {
        return Files.writeString(lab.workDir().resolve("rhid.yaml"), yaml);
    }

    /** Replaces {@code file} atomically, so a reload never reads half of it. */
    static void replace(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The rhid CLI (the launcher under test) in the host namespace. */
    NetnsLab.CommandResult cli(String... args) {
        List<String> argv = new ArrayList<>(List.of(RhidProcess.launcher().toString()));
        argv.addAll(List.of(args));
        return lab.runInHost(Duration.ofSeconds(30), argv.toArray(String[]::new));
    }

    /** GET on rhid's status server, from inside the host namespace. */
    String fetch(String path) {
        NetnsLab.CommandResult r = lab.runInHost(Duration.ofSeconds(10), lab.python3().toString(), "-c",
                "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:" + STATUS_PORT + path
                        + "', timeout=5).read().decode())");
        if (r.exitCode() != 0) {
            throw new IllegalStateException("GET " + path + " failed: " + r.output());
        }
        return r.output();
    }

    JsonNode status() {
        try {
            return JSON.readTree(fetch("/status"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls /status every 100 ms until {@code condition} holds; bounded by {@code timeout}. */
    JsonNode awaitStatus(String what, Predicate<JsonNode> condition, Duration timeout) throws InterruptedException {
        long deadline = Patience.deadline(timeout);
        JsonNode last = null;
        while (true) {
            try {
                last = status();
                if (condition.test(last)) {
                    return last;
                }
            } catch (IllegalStateException e) {
                // Not listening yet.
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("/status did not show " + what + " within " + timeout + "; last:\n" + last
                        + "\nrhid's log (last 30 lines):\n" + String.join("\n", tail(rhid.log(), 30)));
            }
            Thread.sleep(100);
        }
    }

    static JsonNode service(JsonNode status, String name) {
        for (JsonNode s : status.path("services")) {
            if (s.path("name").asText().equals(name)) {
                return s;
            }
        }
        return JSON.missingNode();
    }

    static String state(JsonNode status, String name) {
        return service(status, name).path("state").asText();
    }

    /** The service's only check. */
    static JsonNode check(JsonNode status, String service) {
        return service(status, service).path("checks").path(0);
    }

    /** Polls {@code file} every 50 ms until it contains {@code text}; bounded by {@code timeout}. */
    static void awaitFile(Path file, String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(Files.exists(file) && Files.readString(file).contains(text))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " did not contain " + text + " within " + timeout + ":\n"
                        + (Files.exists(file) ? Files.readString(file) : "(missing)"));
            }
            Thread.sleep(50);
        }
    }

    /** Waits until rhid has logged at least {@code n} lines matching {@code regex}; returns the n-th. */
    String awaitLine(String regex, int n, Duration timeout) throws InterruptedException {
        Pattern p = Pattern.compile(regex);
        long deadline = Patience.deadline(timeout);
        while (true) {
            List<String> lines = rhid.log().lines().filter(l -> p.matcher(l).find()).toList();
            if (lines.size() >= n) {
                return lines.get(n - 1);
            }
            rhid.assertAlive();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("rhid logged " + lines.size() + " lines matching /" + regex + "/ within " + timeout
                        + ", not " + n + "; its log (last 30 lines):\n" + String.join("\n", tail(rhid.log(), 30)));
            }
            Thread.sleep(50);
        }
    }

    /** The "retrying in X" delays of rhid's failed applies, in order. */
    List<Duration> retryDelays() {
        List<Duration> delays = new ArrayList<>();
        Matcher m = Pattern.compile("apply failed \\(attempt \\d+\\), keeping the last good state, retrying in (\\d+)(ms|s):")
                .matcher(rhid.log());
        while (m.find()) {
            long v = Long.parseLong(m.group(1));
            delays.add(m.group(2).equals("ms") ? Duration.ofMillis(v) : Duration.ofSeconds(v));
        }
        return delays;
    }

    /** Durations as the config spells them: [250ms, 500ms, 1s]. */
    static String text(List<Duration> delays) {
        return delays.stream().map(d -> d.toMillis() < 1000 ? d.toMillis() + "ms" : d.toMillis() / 1000.0 + "s")
                .map(t -> t.replace(".0s", "s")).toList().toString();
    }

    static List<String> tail(String text, int n) {
        List<String> lines = text.lines().toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    static long sumOf(String metrics, String name) {
        long sum = 0;
        for (String line : metrics.lines().toList()) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    void awaitPort(int port, Process server) throws InterruptedException {
        String connect = "import socket; socket.create_connection(('127.0.0.1', " + port + "), 1).close()";
        for (int i = 0; i < 100; i++) {
            assertThat(server.isAlive()).as("test server exited").isTrue();
            if (lab.runInHost(Duration.ofSeconds(5), lab.python3().toString(), "-c", connect).exitCode() == 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing listens on 127.0.0.1:" + port + " in the host namespace");
    }

    // ---------------------------------------------------------------------------------------------
    // Faults

    /** kill -SIG pid, from the test's namespace (the PID namespace is shared). */
    static void signal(String sig, long pid) {
        run(Duration.ofSeconds(5), "kill", "-" + sig, Long.toString(pid));
    }

    static void run(Duration timeout, String... argv) {
        NetnsLab.CommandResult r = NetnsLab.exec(List.of(argv), timeout);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " exited " + r.exitCode() + ": " + r.output());
        }
    }

    /** Writes zeros to {@code file} until the disk is full (or {@code limit} bytes); returns the bytes written. */
    static long fill(Path file, long limit) {
        byte[] block = new byte[4096];
        long written = 0;
        try (var out = Files.newOutputStream(file)) {
            while (written < limit) {
                out.write(block);
                out.flush();
                written += block.length;
            }
        } catch (IOException full) {
            return written;
        }
        throw new IllegalStateException("wrote " + limit + " bytes to " + file + " without filling its disk");
    }

    static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    /**
     * Opens connections to a stopped BIRD's control socket until its listen queue is full (a
     * non-blocking connect fails with EAGAIN), and keeps them open; returns how many it opened.
     */
    int fillListenQueue(Path socket) throws IOException {
        int opened = 0;
        for (int i = 0; i < 64; i++) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.configureBlocking(false);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException full) {
                closeQuietly(ch);
                return opened;
            }
            held.add(ch);
            opened++;
        }
        throw new AssertionError("BIRD's listen queue took 64 connections without filling");
    }

    static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // closing
        }
    }

    // ---------------------------------------------------------------------------------------------
    // /proc

    static int threads(long pid) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return (int) tasks.count();
        }
    }

    /** The fields of /proc/PID/stat after the command name: index 0 is field 3 (state). */
    static Optional<String[]> stat(Path proc) {
        try {
            String s = Files.readString(proc.resolve("stat"));
            return Optional.of(s.substring(s.lastIndexOf(')') + 2).trim().split(" "));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone meanwhile
        }
    }

    static List<Long> children(long pid) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                stat(p).filter(f -> Long.parseLong(f[1]) == pid).ifPresent(f -> out.add(Long.parseLong(p.getFileName().toString())));
            }
        }
        return out;
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    /** CPU seconds (user + system) {@code pid} uses during {@code window}. */
    static double cpuSeconds(long pid, Duration window) throws InterruptedException {
        Path proc = Path.of("/proc", Long.toString(pid));
        long before = stat(proc).map(f -> Long.parseLong(f[11]) + Long.parseLong(f[12])).orElseThrow();
        Thread.sleep(window.toMillis());
        long after = stat(proc).map(f -> Long.parseLong(f[11]) + Long.parseLong(f[12])).orElseThrow();
        return (after - before) / (double) TICKS_PER_SECOND;
    }

    static String netnsOf(long pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net")).toString();
    }

    /** {@code sleep 600} processes in network namespace {@code netns} that are older than {@code olderThanSeconds}. */
    static List<Long> sleepsIn(String netns, double olderThanSeconds) throws IOException {
        double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (!Files.readString(p.resolve("cmdline")).equals("sleep\0" + "600\0")
                            || !Files.readSymbolicLink(p.resolve("ns/net")).toString().equals(netns)) {
                        continue;
                    }
                } catch (IOException | RuntimeException gone) {
                    continue;
                }
                Optional<String[]> f = stat(p);
                if (f.isPresent() && uptime - Long.parseLong(f.get()[19]) / (double) TICKS_PER_SECOND >= olderThanSeconds) {
                    out.add(Long.parseLong(p.getFileName().toString()));
                }
            }
        }
        return out;
    }

    /** Waits up to 2 s for every {@code sleep 600} in {@code netns} to be gone; returns those left. */
    static List<Long> awaitNoSleeps(String netns) throws IOException, InterruptedException {
        List<Long> left = sleepsIn(netns, 0);
        for (int i = 0; i < 20 && !left.isEmpty(); i++) {
            Thread.sleep(100);
            left = sleepsIn(netns, 0);
        }
        return left;
    }

    static void quietly(List<Throwable> problems, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | AssertionError e) {
            problems.add(e);
        }
    }
}
