package io.rhid.agent.importer;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.importer.HealthcheckerIni.Section;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Converts anycast-healthchecker's INI config (the {@code [daemon]} section, {@code [DEFAULT]} and
 * one section per service check, in one file or the {@code anycast-healthchecker.d/*.conf}
 * layout) into rhid YAML: {@link HealthcheckerIni} reads the settings, this class drafts the
 * config from them. Reading the files is the only I/O; {@link #convert} is pure apart from asking
 * {@link Programs} about check commands. One instance per import.
 *
 * <p>The tool's defaults are those of its source (0.9.x), not of its README, where they differ:
 * check_interval 10 and check_disabled true.
 */
public final class AnycastHealthchecker {

    /** A file's name (as given) and text. */
    public record Input(String name, String text) {
    }

    static final String TOOL = "anycast-healthchecker";

    /** Daemon keys that only concern the tool's own process or files, which rhid does differently. */
    private static final Set<String> DAEMON_HOUSEKEEPING = Set.of("pidfile", "loglevel", "log_file", "log_maxbytes",
            "log_backups", "stderr_file", "stderr_log_server", "log_server", "log_server_port", "json_stdout",
            "json_log_file", "json_log_server", "log_format_journalctl", "prometheus_exporter",
            "prometheus_collector_textfile_dir", "prometheus_exporter_interval", "dummy_ip_prefix", "dummy_ip6_prefix",
            "purge_ip_prefixes", "splay_startup", "ipv4", "ipv6", "bird_changes_counter", "bird6_changes_counter",
            "bird_variable", "bird6_variable", "bird_conf", "bird6_conf", "bird_reconfigure_cmd", "bird6_reconfigure_cmd",
            "bird_keep_changes", "bird6_keep_changes");

    private final Programs programs;
    private final Findings findings = new Findings();

    AnycastHealthchecker(Programs programs) {
        this.programs = programs;
    }

    /** Converts files and directories (their {@code *.conf} files, in name order) with the host's programs. */
    public static Imported importFiles(List<Path> paths) throws ImportException {
        return new AnycastHealthchecker(Programs.host()).convert(read(paths));
    }

    /** Reads files, and the {@code *.conf} files of directories, in the order given; unreadable input is an error. */
    static List<Input> read(List<Path> paths) throws ImportException {
        List<Input> inputs = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path p : paths) {
            List<Path> files;
            if (Files.isDirectory(p)) {
                try (Stream<Path> listing = Files.list(p)) {
                    files = listing.filter(f -> f.getFileName().toString().endsWith(".conf") && !Files.isDirectory(f))
                            .sorted().toList();
                } catch (IOException e) {
                    problems.add(p + ": cannot read: " + reason(e));
                    continue;
                }
                if (files.isEmpty()) {
                    problems.add(p + ": no *.conf files in this directory");
                }
            } else {
                files = List.of(p);
            }
            for (Path f : files) {
                try {
                    byte[] bytes = Files.readAllBytes(f);
                    String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes)).toString();
                    inputs.add(new Input(f.toString(), text));
                } catch (NoSuchFileException e) {
                    problems.add(f + ": cannot read: no such file");
                } catch (CharacterCodingException e) {
                    problems.add(f + ": cannot read: not valid UTF-8");
                } catch (IOException e) {
                    problems.add(f + ": cannot read: " + reason(e));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ImportException(problems);
        }
        return inputs;
    }

    private static String reason(IOException e) {
        return e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    Imported convert(List<Input> inputs) throws ImportException {
        HealthcheckerIni ini = HealthcheckerIni.read(inputs, findings);
        List<Section> sections = ini.sections();

        Draft draft = new Draft();
        List<String> files = inputs.stream().map(Input::name).toList();
        draft.header.add("rhid config converted by `rhid import " + TOOL + "` from " + String.join(", ", files) + ".");
        draft.header.add("Check it with `rhid check-config -c FILE`; comments marked WARNING are what could not be carried over.");
        daemon(ini, draft);
        addresses(sections, draft);

        Names names = new Names();
        Map<Prefix, List<String>> servicesByPrefix = new TreeMap<>();
        Map<String, Draft.Service> byName = new LinkedHashMap<>();
        Map<String, String> whereByName = new LinkedHashMap<>();
        for (Section s : sections) {
            Draft.Service service = service(s, names.serviceName(s.name()));
            draft.services.add(service);
            if (service.enabled) {
                servicesByPrefix.computeIfAbsent(s.prefix(), p -> new ArrayList<>()).add(service.name);
                byName.put(service.name, service);
                whereByName.put(service.name, s.origin() + ": [" + s.name() + "] ip_prefix");
            }
        }
        servicesByPrefix.forEach((prefix, owners) -> {
            if (owners.size() > 1) {
                for (String owner : owners) {
                    byName.get(owner).comments.add(findings.warn(whereByName.get(owner), prefix + " is also the prefix of "
                            + String.join(", ", owners.stream().filter(o -> !o.equals(owner)).toList())
                            + ": rhid announces a shared prefix only while every service listing it is up"
                            + " (anycast-healthchecker 0.9 refuses such a config; older versions let the last check decide)"));
                }
            }
        });
        guardRails(sections, draft);
        return new Imported(YamlWriter.write(draft), ImportException.sorted(findings.warnings()));
    }

    // ---- converting ----------------------------------------------------------------------------

    private Draft.Service service(Section s, String name) {
        Draft.Service service = new Draft.Service(name);
        service.comments.add("[" + s.name() + "] from " + s.origin());
        service.comments.addAll(s.notes());
        service.fields.put("prefixes", List.of(s.prefix().toString()));
        List<String> timingNotes = new ArrayList<>();
        String at = s.origin() + ": [" + s.name() + "]";
        Duration timeout = Timings.apply(service.fields, TOOL, s.interval(), s.timeout(), null, s.rise(), s.fall(),
                findings, at, timingNotes);
        service.comments.addAll(timingNotes);
        if (s.disabled() && s.onDisabled().equals("advertise")) {
            service.comments.add("check_disabled = true, on_disabled = advertise: announced without a health check; the file"
                    + " check below is rhid's maintenance switch (create the file to withdraw)");
            Draft.Check file = new Draft.Check("file").put("path", "/etc/rhid/maintenance/" + name);
            file.comments.add("check_cmd (disabled): " + s.cmd());
            service.checks.add(file);
            return service;
        }
        Draft.Check check = CheckCommands.convert(s.argv(), "check_cmd", s.cmd(), timeout, programs, findings, at + " check_cmd");
        service.checks.add(check);
        if (s.disabled()) {
            service.enabled = false;
            service.comments.add("check_disabled = true, on_disabled = withdraw: anycast-healthchecker never announces this"
                    + " service, so it is commented out; uncomment it to run the check");
        }
        return service;
    }

    private void daemon(HealthcheckerIni ini, Draft draft) {
        Map<String, Object> bird = new LinkedHashMap<>();
        bird.put("include_file", "/etc/bird/rhid.conf");
        List<String> notes = new ArrayList<>();
        String birdConf = ini.daemon("bird_conf");
        String variable = ini.daemon("bird_variable");
        notes.add("BIRD 2. rhid owns include_file (static protocols rhid4/rhid6 and the function rhid_export()) instead of");
        notes.add(birdConf + " (" + variable + ") and " + ini.daemon("bird6_conf") + " ("
                + ini.daemon("bird6_variable") + "). In bird.conf:");
        notes.add("  - include \"/etc/bird/rhid.conf\"; instead of the anycast-prefixes.conf files;");
        notes.add("  - export where rhid_export(); instead of export where match_route(); (and match_route6());");
        notes.add("  - drop match_route() and the " + variable + " lists. rhid announces blackhole static routes, so");
        notes.add("    the service addresses no longer need a direct protocol on lo to be exported.");
        String reconfigure = ini.daemon("bird_reconfigure_cmd");
        List<String> words;
        try {
            words = Shlex.split(reconfigure);
        } catch (IllegalArgumentException e) {
            words = List.of();
        }
        int s = words.indexOf("-s");
        boolean birdc = words.stream().anyMatch(w -> CheckCommands.basename(w).equals("birdc"));
        if (birdc && s >= 0 && s + 1 < words.size() && words.get(s + 1).startsWith("/")) {
            bird.put("socket", words.get(s + 1));
            notes.add("socket: from bird_reconfigure_cmd = " + reconfigure);
        } else if (!birdc) {
            notes.add(findings.warn(ini.where("daemon", "bird_reconfigure_cmd"), "rhid reconfigures BIRD through its control"
                    + " socket and does not run \"" + reconfigure + "\""));
        }
        for (String key : List.of("bird_keep_changes", "bird6_keep_changes")) {
            if ("true".equalsIgnoreCase(ini.daemon(key).strip())) {
                notes.add(findings.warn(ini.where("daemon", key), key + " = true: rhid keeps no history of its include file"));
            }
        }
        List<String> housekeeping = new ArrayList<>();
        for (Ini.Entry e : ini.daemonEntries()) {
            if (e.origin().equals(Ini.Origin.BUILT_IN)) {
                continue;
            }
            if (!DAEMON_HOUSEKEEPING.contains(e.key())) {
                notes.add(findings.warn(e.origin() + ": [daemon] " + e.key(), e.key() + " is not an anycast-healthchecker"
                        + " setting; ignored"));
            } else if (!e.key().startsWith("bird")) {
                housekeeping.add(e.key());
            }
        }
        if (!housekeeping.isEmpty()) {
            notes.add("Not needed in rhid (logging goes to stderr/journald, metrics are at status.listen /metrics, the");
            notes.add("probes start at random within their first interval, and an empty rhid_export() needs no dummy");
            notes.add("prefix): " + String.join(", ", housekeeping));
        }
        Map<String, Object> router = new LinkedHashMap<>();
        router.put("daemon", "bird");
        router.put("bird", bird);
        draft.top.put("router", new Draft.Commented(notes, router));
    }

    private void addresses(List<Section> sections, Draft draft) {
        Set<String> interfaces = new TreeSet<>();
        Set<Boolean> ipChecks = new TreeSet<>();
        sections.forEach(s -> {
            interfaces.add(s.iface());
            ipChecks.add(s.ipCheckDisabled());
        });
        Map<String, Object> addresses = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        if (ipChecks.equals(Set.of(true))) {
            addresses.put("manage", false);
            notes.add("ip_check_disabled = true everywhere: the addresses live elsewhere, so rhid does not add them");
        } else {
            addresses.put("manage", true);
            notes.add("anycast-healthchecker withdrew a service whose address was missing from its interface;");
            notes.add("rhid adds the address itself before announcing (and never removes one it did not add)");
            if (ipChecks.size() > 1) {
                notes.add(findings.warn("ip_check_disabled", "some services set ip_check_disabled = true; rhid manages"
                        + " the addresses of all services or of none, and adds them for all"));
            }
        }
        String iface = interfaces.isEmpty() ? "lo" : interfaces.iterator().next();
        if (interfaces.size() > 1) {
            notes.add(findings.warn("interface", "services use several interfaces (" + String.join(", ", interfaces)
                    + "); rhid keeps all addresses on one: " + iface));
        }
        addresses.put("interface", iface);
        draft.top.put("addresses", new Draft.Commented(notes, addresses));
    }

    /** Prefixes shorter than rhid's default guard rail are allowed explicitly, exactly as listed. */
    private static void guardRails(List<Section> sections, Draft draft) {
        Set<Prefix> all = new TreeSet<>();
        sections.forEach(s -> all.add(s.prefix()));
        boolean anyShort = all.stream().anyMatch(p -> p.length() < (p.v6() ? 48 : 24));
        if (anyShort) {
            draft.top.put("allowed_prefixes", new Draft.Commented(
                    List.of("some prefixes are shorter than /24 (IPv4) or /48 (IPv6): allow exactly the imported ones"),
                    all.stream().map(Prefix::toString).toList()));
        }
    }

}
