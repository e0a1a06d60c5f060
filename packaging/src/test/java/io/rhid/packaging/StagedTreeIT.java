package io.rhid.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tree both packages are built from ({@code target/root}, laid out as installed): its launcher
 * runs and finds its jars, its config is valid and announces nothing, its initial BIRD include file
 * is what rhid itself renders, and its unit and maintainer scripts say what DESIGN.md asks.
 */
@Tag("packaging")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class StagedTreeIT {

    static final Path ROOT = Path.of(System.getProperty("rhid.root", "target/root"));
    static final Path LAUNCHER = ROOT.resolve("usr/bin/rhid");
    static final Path CONFIG = ROOT.resolve("etc/rhid/rhid.yaml");
    static final Path LIB = ROOT.resolve("usr/share/rhid/lib");
    static final Path EMPTY_INCLUDE = ROOT.resolve("usr/share/rhid/bird-empty.conf");
    static final Path UNIT = ROOT.resolve("lib/systemd/system/rhid.service");
    static final Path DOC = ROOT.resolve("usr/share/doc/rhid");
    static final Path DEB_CONTROL = Path.of("src/deb/control");
    static final Path RPM_SCRIPTS = Path.of("src/rpm");

    @TempDir
    Path tmp;

    /** Runs the staged launcher as the installed one runs: it must find ../share/rhid/lib itself. */
    static Commands.Result rhid(String... args) {
        List<String> argv = new ArrayList<>(List.of("sh", LAUNCHER.toString()));
        argv.addAll(List.of(args));
        return Commands.run(argv);
    }

    @Test
    void the_launcher_is_the_agents_launcher() throws IOException {
        assertThat(Files.readString(LAUNCHER)).isEqualTo(Files.readString(Path.of("../agent/src/dist/bin/rhid")));
    }

    @Test
    void lib_holds_exactly_the_jars_of_the_agents_distribution() throws IOException {
        Path dist = Path.of("../agent/target/rhid/lib");
        Assumptions.assumeTrue(Files.isDirectory(dist), "agent/target/rhid/lib not built");
        assertThat(names(LIB)).isNotEmpty().isEqualTo(names(dist));
    }

    @Test
    void the_installed_launcher_finds_its_jars_and_prints_the_version() {
        Commands.Result r = rhid("--version").requireSuccess();
        assertThat(r.out().strip()).isEqualTo("rhid " + System.getProperty("rhid.version"));
    }

    @Test
    void the_installed_config_is_valid_and_announces_nothing() {
        Commands.Result r = rhid("check-config", "-c", CONFIG.toString()).requireSuccess();
        assertThat(r.out()).contains(": ok: 0 services, 0 checks, 0 prefixes, daemon bird");
    }

    @Test
    void the_example_service_commented_out_in_the_installed_config_is_valid_once_uncommented() throws IOException {
        // Keep the top of the file (router:), drop "services: {}" and uncomment the example below it.
        List<String> lines = Files.readAllLines(CONFIG);
        List<String> edited = new ArrayList<>();
        boolean example = false;
        for (String line : lines) {
            if (line.equals("services: {}")) {
                continue;
            }
            if (line.equals("# services:")) {
                example = true;
            }
            edited.add(example ? line.replaceFirst("^# ?", "") : line);
        }
        assertThat(example).as("the config shows a commented example under '# services:'").isTrue();
        Path uncommented = Files.write(tmp.resolve("rhid.yaml"), edited);
        Commands.Result r = rhid("check-config", "-c", uncommented.toString()).requireSuccess();
        assertThat(r.out()).contains(": ok: 1 service, 2 checks, 2 prefixes, daemon bird");
    }

    @Test
    void the_installed_config_writes_the_include_file_in_rhids_own_directory() throws IOException {
        assertThat(Files.readAllLines(CONFIG)).contains("    include_file: /etc/rhid/bird/rhid.conf");
        assertThat(Files.readString(ROOT.resolve("usr/lib/sysusers.d/rhid.conf")))
                .contains("u rhid - \"rhid route health injection\" /var/lib/rhid /usr/sbin/nologin");
    }

    @Test
    void the_environment_file_sets_rhid_args_and_the_unit_passes_them_to_rhid_run() throws IOException {
        Path env = ROOT.resolve("etc/default/rhid");
        assertThat(Files.readAllLines(env)).contains("RHID_ARGS=\"\"", "#RHID_ARGS=\"--log-format json\"");
        // Every option the file suggests is one "rhid run" accepts: the run's help lists it.
        String help = rhid("run", "--help").requireSuccess().out();
        assertThat(help).contains("--log-format", "--log-level");
    }

    @Test
    void every_command_has_a_man_page_that_man_renders_without_warnings() throws IOException {
        Path man1 = ROOT.resolve("usr/share/man/man1");
        String help = rhid("--help").requireSuccess().out();
        List<String> pages = names(man1);
        assertThat(pages).contains("rhid.1.gz", "rhid-run.1.gz", "rhid-check-config.1.gz", "rhid-status.1.gz",
                "rhid-withdraw-all.1.gz");
        // One page per subcommand that rhid --help lists ("  run   Run the daemon ...").
        Matcher m = Pattern.compile("(?m)^  ([a-z][a-z-]+)\\s{2,}").matcher(help.substring(help.indexOf("Commands:")));
        List<String> commands = new java.util.ArrayList<>();
        while (m.find()) {
            assertThat(pages).as("a man page for rhid " + m.group(1)).contains("rhid-" + m.group(1) + ".1.gz");
            commands.add(m.group(1));
        }
        assertThat(commands).hasSizeGreaterThanOrEqualTo(8);
        // Subcommands of a command (rhid import exabgp-healthcheck) have pages of their own.
        assertThat(pages).contains("rhid-import-anycast-healthchecker.1.gz", "rhid-import-exabgp-healthcheck.1.gz");
        assertThat(pages).allSatisfy(page -> assertThat(page.equals("rhid.1.gz")
                || commands.stream().anyMatch(c -> page.equals("rhid-" + c + ".1.gz") || page.startsWith("rhid-" + c + "-")))
                .as("%s documents a command rhid has", page).isTrue());
        Path man = Commands.require("man", "man-db");
        for (String page : pages) {
            Commands.Result r = Commands.run(List.of("env", "MANWIDTH=80", "LC_ALL=C.UTF-8", man.toString(), "--warnings",
                    "-E", "UTF-8", "-l", "-Tutf8", "-Z", man1.resolve(page).toString()));
            assertThat(r.exit()).as("man %s: %s", page, r.err()).isZero();
            assertThat(r.err()).as("man --warnings %s", page).isEmpty();
        }
    }

    @Test
    void the_initial_bird_include_file_is_what_rhid_renders_for_no_services() throws IOException {
        Commands.Result r = rhid("render", "-c", CONFIG.toString(), "--assume", "down").requireSuccess();
        assertThat(Files.readString(EMPTY_INCLUDE)).isEqualTo(r.out());
        assertThat(r.out()).contains("protocol static rhid4", "protocol static rhid6", "function rhid_export()");
    }

    @Test
    void bird_accepts_the_bird_example_with_the_initial_include_file() throws IOException {
        Path bird = Commands.require("bird", "bird2");
        String conf = Files.readString(DOC.resolve("bird.conf.example"));
        assertThat(conf).contains("include \"/etc/rhid/bird/rhid.conf\";", "export where rhid_export();");
        Path copy = Files.writeString(tmp.resolve("bird.conf"),
                conf.replace("/etc/rhid/bird/rhid.conf", EMPTY_INCLUDE.toAbsolutePath().toString()));
        Commands.run(bird.toString(), "-p", "-c", copy.toString()).requireSuccess();
    }

    @Test
    void exabgp_accepts_the_exabgp_example() throws IOException {
        Path exabgp = Commands.require("exabgp", "exabgp");
        String conf = Commands.readString(DOC.resolve("exabgp.conf.example"));
        assertThat(conf).contains("run /usr/bin/rhid run -c /etc/rhid/rhid.yaml;", "encoder text;", "processes [ rhid ];");
        // exabgp --test insists that the process's program exists: point it at the staged launcher.
        Path copy = Files.writeString(tmp.resolve("exabgp.conf"),
                conf.replace("/usr/bin/rhid", LAUNCHER.toAbsolutePath().toString()));
        Commands.Result r = Commands.run(exabgp.toString(), "--test", copy.toString());
        assertThat(r.exit()).as("exabgp --test: %s%s", r.out(), r.err()).isZero();
    }

    @Test
    void frr_accepts_the_frr_example() {
        Path vtysh = Commands.require("vtysh", "frr");
        Commands.Result r = Commands.run(vtysh.toString(), "--dryrun", "-f", DOC.resolve("frr.conf.example").toString());
        assertThat(r.exit()).as("vtysh --dryrun: %s%s", r.out(), r.err()).isZero();
        assertThat(Commands.readString(DOC.resolve("frr.conf.example"))).contains("no bgp ebgp-requires-policy", "import-check");
    }

    @Test
    void every_bundled_jar_is_in_the_copyright_file() throws IOException {
        String copyright = Files.readString(DOC.resolve("copyright"));
        List<Pattern> patterns = new ArrayList<>();
        Matcher m = Pattern.compile("usr/share/rhid/lib/(\\S+)").matcher(copyright);
        while (m.find()) {
            patterns.add(Pattern.compile(Pattern.quote(m.group(1)).replace("*", "\\E.*\\Q")));
        }
        List<String> missing = names(LIB).stream()
                .filter(jar -> !jar.startsWith("rhid-")) // rhid's own jars: "Files: *"
                .filter(jar -> patterns.stream().noneMatch(p -> p.matcher(jar).matches()))
                .toList();
        assertThat(missing).as("jars in /usr/share/rhid/lib without a Files: entry in usr/share/doc/rhid/copyright").isEmpty();
    }

    @Test
    void the_unit_runs_rhid_as_designed() throws IOException {
        List<String> lines = Files.readAllLines(UNIT);
        assertThat(lines).contains(
                "Type=notify",
                "WatchdogSec=60s",
                "User=rhid",
                "Group=rhid",
                "EnvironmentFile=-/etc/default/rhid",
                "EnvironmentFile=-/etc/sysconfig/rhid",
                "ExecStartPre=/usr/bin/rhid check-config -c /etc/rhid/rhid.yaml",
                "ExecStart=/usr/bin/rhid run -c /etc/rhid/rhid.yaml $RHID_ARGS",
                "ExecReload=/bin/kill -HUP $MAINPID",
                "ExecStopPost=/usr/bin/rhid withdraw-all -c /etc/rhid/rhid.yaml",
                "Restart=on-failure",
                "RestartPreventExitStatus=78",
                "AmbientCapabilities=CAP_NET_ADMIN",
                "CapabilityBoundingSet=CAP_NET_ADMIN",
                "NoNewPrivileges=yes",
                "ProtectSystem=strict",
                "ProtectHome=yes",
                "PrivateTmp=yes",
                "RuntimeDirectory=rhid",
                "StateDirectory=rhid",
                "ReadWritePaths=-/etc/rhid/bird -/etc/bird -/etc/frr",
                "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
                "SystemCallFilter=@system-service",
                "UMask=0027",
                "WantedBy=multi-user.target");
        // A group that does not exist would keep the unit from starting; the package adds membership.
        assertThat(lines).noneMatch(l -> l.startsWith("SupplementaryGroups="));
        // The JIT needs writable executable memory; ProtectProc=invisible would hide the processes
        // exec checks look for (pidof, pgrep).
        assertThat(lines).noneMatch(l -> l.startsWith("MemoryDenyWriteExecute=") || l.startsWith("ProtectProc="));
    }

    @Test
    void the_units_sandbox_scores_an_exposure_of_at_most_2_5() throws IOException {
        Path analyze = Commands.require("systemd-analyze", "systemd");
        Path unit = Files.copy(UNIT, tmp.resolve("rhid.service"));
        // --threshold=25: systemd-analyze itself fails above 2.5, the score is asserted too.
        Commands.Result r = Commands.run(analyze.toString(), "security", "--offline=yes", "--threshold=25", unit.toString());
        System.out.println("systemd-analyze security --offline=yes rhid.service:\n" + r.out() + r.err());
        Matcher m = Pattern.compile("Overall exposure level for rhid.service: (\\d+\\.\\d)").matcher(r.out() + r.err());
        assertThat(m.find()).as("systemd-analyze security printed a score: %s%s", r.out(), r.err()).isTrue();
        assertThat(Double.parseDouble(m.group(1))).isLessThanOrEqualTo(2.5);
        assertThat(r.exit()).as("systemd-analyze security --threshold=25 exit").isZero();
    }

    @Test
    void systemd_analyze_verifies_the_unit() throws IOException {
        Path analyze = Commands.require("systemd-analyze", "systemd");
        // verify checks that every Exec*= binary exists: point them at a copy of the staged launcher.
        Path launcher = Files.copy(LAUNCHER, tmp.resolve("rhid"));
        launcher.toFile().setExecutable(true);
        Path unit = Files.writeString(tmp.resolve("rhid.service"),
                Files.readString(UNIT).replace("/usr/bin/rhid", launcher.toString()));
        Commands.Result r = Commands.run(analyze.toString(), "verify", unit.toString());
        assertThat(r.exit()).as("systemd-analyze verify: %s%s", r.out(), r.err()).isZero();
        assertThat(r.out() + r.err()).isEmpty();
    }

    @Test
    void the_deb_postinst_and_the_rpm_post_share_one_setup_block() throws IOException {
        String deb = setupBlock(DEB_CONTROL.resolve("postinst"));
        String rpm = setupBlock(RPM_SCRIPTS.resolve("post.sh"));
        assertThat(deb).contains("systemd-sysusers /usr/lib/sysusers.d/rhid.conf", "useradd --system", "usermod -a -G",
                "/etc/rhid/bird/rhid.conf", "/usr/share/rhid/bird-empty.conf");
        // rhid has its own include directory: BIRD's /etc/bird keeps the mode bird2 gives it.
        assertThat(deb.lines().filter(l -> !l.strip().startsWith("#"))).noneMatch(l -> l.contains("/etc/bird"));
        assertThat(rpm).isEqualTo(deb);
    }

    @Test
    void maintainer_scripts_are_posix_shell_that_stops_on_errors() throws IOException {
        for (Path script : maintainerScripts()) {
            Commands.run("sh", "-n", script.toString()).requireSuccess();
            assertThat(Files.readString(script)).as(script.toString()).doesNotContain("#!/bin/bash", "[[", "function ");
        }
        for (String name : List.of("postinst", "prerm", "postrm")) {
            Path script = DEB_CONTROL.resolve(name);
            assertThat(Files.readAllLines(script)).as(name).startsWith("#!/bin/sh").contains("set -e");
            assertThat(script.toFile().canExecute()).as(name + " is executable").isTrue();
        }
    }

    @Test
    void removal_never_deletes_the_operators_routing_config() throws IOException {
        for (Path script : maintainerScripts()) {
            List<String> deletes = Files.readAllLines(script).stream()
                    .filter(l -> !l.strip().startsWith("#"))
                    .filter(l -> l.matches(".*\\b(rm|unlink|mv)\\b.*/etc/(bird|frr).*"))
                    .filter(l -> !l.contains("/etc/bird/.rhid.conf.new")) // the postinst's own temp file
                    .toList();
            assertThat(deletes).as(script + " deletes or moves files of BIRD or FRR").isEmpty();
        }
    }

    @Test
    void systemd_is_touched_only_where_it_runs() throws IOException {
        // systemctl and deb-systemd-invoke fail where systemd is not PID 1 (containers, chroots):
        // each call sits inside an "if [ -d /run/systemd/system ]" block.
        for (Path script : maintainerScripts()) {
            int depth = 0;
            int guard = -1; // the depth of the enclosing "if [ -d /run/systemd/system ]", if any
            for (String line : Files.readAllLines(script)) {
                String s = line.strip();
                if (s.startsWith("if ")) {
                    depth++;
                    if (guard < 0 && s.contains("[ -d /run/systemd/system ]")) {
                        guard = depth;
                    }
                } else if (s.equals("fi")) {
                    if (depth == guard) {
                        guard = -1;
                    }
                    depth--;
                } else if (s.matches("(systemctl|deb-systemd-invoke)\\b.*")) {
                    assertThat(guard).as("%s: %s is not under [ -d /run/systemd/system ]", script, s).isPositive();
                }
            }
        }
    }

    static List<Path> maintainerScripts() throws IOException {
        List<Path> scripts = new ArrayList<>();
        for (String name : List.of("postinst", "prerm", "postrm")) {
            scripts.add(DEB_CONTROL.resolve(name));
        }
        try (Stream<Path> rpm = Files.list(RPM_SCRIPTS)) {
            scripts.addAll(rpm.sorted().toList());
        }
        return scripts;
    }

    static String setupBlock(Path script) throws IOException {
        String text = Files.readString(script);
        int start = text.indexOf("# >>> rhid setup");
        int end = text.indexOf("# <<< rhid setup");
        assertThat(start).as("%s has a '# >>> rhid setup' block", script).isNotNegative();
        assertThat(end).as("%s ends its block with '# <<< rhid setup'", script).isGreaterThan(start);
        return text.substring(start, end);
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
