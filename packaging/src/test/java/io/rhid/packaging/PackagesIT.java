package io.rhid.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built .deb and .rpm, as dpkg-deb and rpm list them: the same files as the staged tree, with
 * the modes, owners, conffiles, dependencies and maintainer scripts the design asks for.
 * Skipped, with a line saying so, where dpkg-deb or rpm is not installed (.ci/run installs both).
 */
@Tag("packaging")
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PackagesIT {

    static final Path ROOT = StagedTreeIT.ROOT;
    static final String VERSION = System.getProperty("rhid.version");
    static final Path DEB = Path.of(System.getProperty("rhid.deb", "target/rhid_" + VERSION + "_all.deb"));
    static final Path RPM = Path.of(System.getProperty("rhid.rpm", "target/rhid-" + VERSION + "-1.noarch.rpm"));
    static final String DEB_UNIT = "/lib/systemd/system/rhid.service";
    static final String RPM_UNIT = "/usr/lib/systemd/system/rhid.service";
    /** The service's environment file: staged and in the .deb as /etc/default/rhid, in the .rpm here. */
    static final String RPM_ENVIRONMENT = "/etc/sysconfig/rhid";
    static final Path RPMLINT_CONFIG = Path.of("src/rpmlint.toml");

    @TempDir
    Path tmp;

    /** A file in a package: its installed path, mode string ("-rw-r--r--"), owner and group. */
    record Entry(String path, String mode, String owner, String group) {
    }

    // ---------------------------------------------------------------------------------------------
    // .deb

    @Test
    void the_deb_holds_the_staged_files_with_their_modes_owned_by_root() throws IOException {
        Path dpkgDeb = Commands.require("dpkg-deb", "dpkg");
        String listing = Commands.run(dpkgDeb.toString(), "-c", DEB.toString()).requireSuccess().out();
        System.out.println("dpkg-deb -c " + DEB.getFileName() + ":\n" + listing);
        Map<String, Entry> files = new TreeMap<>();
        for (String line : listing.lines().toList()) {
            // -rw-r--r-- root/root      2314 2026-01-01 00:00 ./lib/systemd/system/rhid.service
            String[] f = line.trim().split("\\s+", 6);
            String[] owner = f[1].split("/");
            String path = f[5].substring(1);
            if (!f[0].startsWith("d")) {
                files.put(path, new Entry(path, f[0], owner[0], owner[1]));
            } else {
                assertThat(f[0]).as(path).isEqualTo("drwxr-xr-x");
                assertThat(f[1]).as(path).isEqualTo("root/root");
            }
        }
        assertThat(files).isEqualTo(expected(DEB_UNIT));
    }

    @Test
    void the_deb_declares_its_conffile_dependencies_and_maintainer_scripts() throws IOException {
        Path dpkgDeb = Commands.require("dpkg-deb", "dpkg");
        String info = Commands.run(dpkgDeb.toString(), "-I", DEB.toString()).requireSuccess().out();
        System.out.println("dpkg-deb -I " + DEB.getFileName() + ":\n" + info);
        Map<String, String> fields = new TreeMap<>();
        for (String field : List.of("Package", "Version", "Architecture", "Section", "Priority", "Depends", "Recommends", "Maintainer",
                "Homepage")) {
            fields.put(field, Commands.run(dpkgDeb.toString(), "-f", DEB.toString(), field).requireSuccess().out().strip());
        }
        assertThat(fields).containsEntry("Package", "rhid")
                .containsEntry("Version", VERSION)
                .containsEntry("Architecture", "all")
                .containsEntry("Section", "net")
                .containsEntry("Priority", "optional")
                // Debian 12's openjdk-17-jre-headless provides java17-runtime-headless; later JDKs
                // provide it too. A real package first, as Debian policy asks for alternatives.
                .containsEntry("Depends", "openjdk-17-jre-headless | java17-runtime-headless | java21-runtime-headless"
                        + " | java25-runtime-headless, iproute2, passwd")
                .containsEntry("Recommends", "bird2 | frr");
        assertThat(fields.get("Maintainer")).isNotBlank();
        assertThat(fields.get("Homepage")).startsWith("https://");

        Path control = tmp.resolve("control");
        Commands.run(dpkgDeb.toString(), "-e", DEB.toString(), control.toString()).requireSuccess();
        assertThat(Files.readAllLines(control.resolve("conffiles"))).containsExactlyInAnyOrder("/etc/default/rhid", "/etc/rhid/rhid.yaml");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            Path packaged = control.resolve(script);
            assertThat(Files.readString(packaged)).as(script).isEqualTo(Files.readString(StagedTreeIT.DEB_CONTROL.resolve(script)));
            assertThat(packaged.toFile().canExecute()).as(script + " is executable").isTrue();
        }
        assertThat(control.resolve("preinst")).doesNotExist();
        // Every file's md5sum is the staged file's: the package carries exactly what was tested.
        for (String line : Files.readAllLines(control.resolve("md5sums"))) {
            String[] f = line.split("\\s+", 2);
            String staged = f[1].equals(DEB_UNIT.substring(1)) ? "lib/systemd/system/rhid.service" : f[1];
            assertThat(f[0]).as(f[1]).isEqualTo(digest("MD5", ROOT.resolve(staged)));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // .rpm

    @Test
    void the_rpm_holds_the_staged_files_with_their_modes_owned_by_root() throws IOException {
        Path rpm = Commands.require("rpm", "rpm");
        String listing = Commands.run(rpm.toString(), "-qplv", RPM.toString()).requireSuccess().out();
        System.out.println("rpm -qplv " + RPM.getFileName() + ":\n" + listing);
        Map<String, Entry> files = new TreeMap<>();
        List<String> dirs = new java.util.ArrayList<>();
        String query = "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEDIGESTS} %{FILENAMES}\\n]";
        for (String line : Commands.run(rpm.toString(), "-qp", "--qf", query, RPM.toString()).requireSuccess().out().lines().toList()) {
            String[] f = line.split(" ", 5);
            if (f[0].startsWith("d")) {
                assertThat(f[0] + " " + f[1] + " " + f[2]).as(f[4]).isEqualTo("drwxr-xr-x root root");
                dirs.add(f[4]);
                continue;
            }
            files.put(f[4], new Entry(f[4], f[0], f[1], f[2]));
            String staged = f[4].equals(RPM_UNIT) ? "lib/systemd/system/rhid.service"
                    : f[4].equals(RPM_ENVIRONMENT) ? "etc/default/rhid" : f[4].substring(1);
            assertThat(f[3]).as("sha256 of " + f[4]).isEqualTo(digest("SHA-256", ROOT.resolve(staged)));
        }
        assertThat(files).isEqualTo(expected(RPM_UNIT));
        // It owns its own directories, and no one else's (/usr, /etc, /usr/share/doc, ...).
        assertThat(dirs).containsExactlyInAnyOrder("/etc/rhid", "/usr/share/rhid", "/usr/share/rhid/lib",
                "/usr/share/doc/rhid", "/usr/share/doc/rhid/examples");
    }

    @Test
    void the_rpm_marks_the_config_noreplace_and_declares_its_requirements_and_scripts() throws IOException {
        Path rpm = Commands.require("rpm", "rpm");
        assertThat(Commands.run(rpm.toString(), "-qp", "--configfiles", RPM.toString()).requireSuccess().out().lines())
                .containsExactlyInAnyOrder("/etc/rhid/rhid.yaml", RPM_ENVIRONMENT);
        String flags = Commands.run(rpm.toString(), "-qp", "--qf", "[%{FILEFLAGS:fflags} %{FILENAMES}\\n]", RPM.toString())
                .requireSuccess().out();
        assertThat(flags.lines()).contains("cn /etc/rhid/rhid.yaml", "cn " + RPM_ENVIRONMENT); // %config(noreplace)
        assertThat(flags.lines()).contains("d /usr/share/man/man1/rhid.1.gz", "d /usr/share/doc/rhid/changelog.gz"); // %doc

        String header = Commands.run(rpm.toString(), "-qp", "--qf", "%{NAME} %{VERSION} %{RELEASE} %{ARCH} %{LICENSE} %{URL}", RPM.toString())
                .requireSuccess().out();
        assertThat(header).matches("rhid " + VERSION.replace(".", "\\.") + " 1 noarch Apache-2\\.0 AND MIT AND BSD-3-Clause https://\\S+");
        // %changelog, from the Debian changelog (rpm-changelog), newest entry first.
        String changelog = Commands.run(rpm.toString(), "-qp", "--changelog", RPM.toString()).requireSuccess().out();
        assertThat(changelog).startsWith("* ").contains("> - " + VERSION + "-1\n- ");
        String requires = Commands.run(rpm.toString(), "-qp", "--requires", RPM.toString()).requireSuccess().out();
        System.out.println("rpm -qp --requires " + RPM.getFileName() + ":\n" + requires);
        // Epoch 1: OpenJDK packages provide java-headless = 1:VERSION, so 1:1.8.0 must not pass.
        assertThat(requires.lines()).contains("java-headless >= 1:17", "iproute", "shadow-utils");

        String scripts = Commands.run(rpm.toString(), "-qp", "--scripts", RPM.toString()).requireSuccess().out();
        System.out.println("rpm -qp --scripts " + RPM.getFileName() + " (abbreviated):\n"
                + scripts.lines().filter(l -> l.contains("scriptlet")).reduce("", (a, b) -> a + b + "\n"));
        assertThat(scripts).contains("postinstall scriptlet (using /bin/sh):", "preuninstall scriptlet (using /bin/sh):",
                "postuninstall scriptlet (using /bin/sh):");
        assertThat(scripts).doesNotContain("preinstall scriptlet");
        for (String name : List.of("post.sh", "preun.sh", "postun.sh")) {
            assertThat(scripts).as(name).contains(Files.readString(StagedTreeIT.RPM_SCRIPTS.resolve(name)).strip());
        }
        assertThat(scripts).contains(StagedTreeIT.setupBlock(StagedTreeIT.DEB_CONTROL.resolve("postinst")));
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void lintian_reports_no_error_and_no_warning_on_the_deb() {
        Path lintian = Commands.require("lintian", "lintian");
        // Pedantic and info tags are shown for the log; any E: or W: fails (--fail-on), and the
        // package carries no lintian overrides.
        Commands.Result r = Commands.run(lintian.toString(), "--display-level", ">=pedantic", "--fail-on", "error,warning", DEB.toString());
        System.out.println("lintian " + DEB.getFileName() + ":\n" + r.out() + r.err());
        assertThat(r.exit()).as("lintian: %s%s", r.out(), r.err()).isZero();
        assertThat(r.out().lines()).noneMatch(l -> l.startsWith("E: ") || l.startsWith("W: "));
    }

    @Test
    void rpmlint_reports_no_error_and_no_warning_on_the_rpm() {
        Path rpmlint = Commands.require("rpmlint", "rpmlint");
        // The filters in src/rpmlint.toml each say why a finding does not apply.
        Commands.Result r = Commands.run(rpmlint.toString(), "-c", RPMLINT_CONFIG.toString(), RPM.toString());
        System.out.println("rpmlint " + RPM.getFileName() + ":\n" + r.out() + r.err());
        assertThat(r.exit()).as("rpmlint: %s%s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("0 errors, 0 warnings");
    }

    @Test
    void both_packages_carry_the_same_files_but_for_the_units_directory() throws IOException {
        Map<String, Entry> deb = expected(DEB_UNIT);
        Map<String, Entry> rpm = expected(RPM_UNIT);
        TreeSet<String> debPaths = new TreeSet<>(deb.keySet());
        debPaths.removeAll(List.of(DEB_UNIT, "/etc/default/rhid"));
        TreeSet<String> rpmPaths = new TreeSet<>(rpm.keySet());
        rpmPaths.removeAll(List.of(RPM_UNIT, RPM_ENVIRONMENT));
        assertThat(debPaths).isEqualTo(rpmPaths).contains("/usr/bin/rhid", "/etc/rhid/rhid.yaml",
                "/usr/share/rhid/bird-empty.conf", "/usr/share/doc/rhid/copyright", "/usr/share/doc/rhid/bird.conf.example",
                "/usr/share/doc/rhid/frr.conf.example", "/usr/share/doc/rhid/exabgp.conf.example",
                "/usr/share/doc/rhid/examples/rhid.yaml", "/usr/share/doc/rhid/examples/exabgp.yaml", "/usr/share/doc/rhid/changelog.gz",
                "/usr/share/man/man1/rhid.1.gz", "/usr/share/man/man1/rhid-run.1.gz", "/usr/share/man/man1/rhid-status.1.gz",
                "/usr/lib/sysusers.d/rhid.conf", "/usr/share/rhid/rhid-alerts.rules.yml", "/usr/share/rhid/rhid-grafana-dashboard.json");
        assertThat(debPaths).anyMatch(p -> p.matches("/usr/share/rhid/lib/rhid-agent-.*\\.jar"));
    }

    /** What a package must hold: every staged file, root-owned, 0644 but the launcher (0755). */
    static Map<String, Entry> expected(String unitPath) throws IOException {
        Map<String, Entry> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(ROOT)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String path = "/" + ROOT.relativize(p).toString().replace('\\', '/');
                if (path.equals(DEB_UNIT)) {
                    path = unitPath;
                }
                if (path.equals("/etc/default/rhid") && unitPath.equals(RPM_UNIT)) {
                    path = RPM_ENVIRONMENT;
                }
                String mode = path.equals("/usr/bin/rhid") ? "-rwxr-xr-x" : "-rw-r--r--";
                files.put(path, new Entry(path, mode, "root", "root"));
            }
        }
        return files;
    }

    static String digest(String algorithm, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            md.update(in.readAllBytes());
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
