package io.rhid.agent.importer;

import io.rhid.agent.config.Prefix;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * anycast-healthchecker's INI files read as the tool reads them: its built-in defaults, then
 * {@code [DEFAULT]}, {@code [daemon]} and one checked {@link Section} per service, every problem
 * collected with its file and line. Used by one import on one thread.
 */
final class HealthcheckerIni {

    private static final Map<String, String> SERVICE_DEFAULTS = ordered(
            "interface", "lo",
            "check_interval", "10",
            "check_timeout", "2",
            "check_rise", "2",
            "check_fail", "2",
            "check_disabled", "true",
            "on_disabled", "withdraw",
            "ip_check_disabled", "false",
            "custom_bird_reconfigure_cmd_timeout", "2");

    private static final Map<String, String> DAEMON_DEFAULTS = ordered(
            "ipv4", "true",
            "ipv6", "false",
            "bird_conf", "/var/lib/anycast-healthchecker/anycast-prefixes.conf",
            "bird6_conf", "/var/lib/anycast-healthchecker/6/anycast-prefixes.conf",
            "bird_variable", "ACAST_PS_ADVERTISE",
            "bird6_variable", "ACAST6_PS_ADVERTISE",
            "bird_reconfigure_cmd", "sudo /usr/sbin/birdc configure",
            "bird6_reconfigure_cmd", "sudo /usr/sbin/birdc6 configure",
            "dummy_ip_prefix", "10.189.200.255/32",
            "dummy_ip6_prefix", "2001:db8::1/128",
            "bird_keep_changes", "false",
            "bird6_keep_changes", "false",
            "bird_changes_counter", "128",
            "bird6_changes_counter", "128",
            "purge_ip_prefixes", "false",
            "pidfile", "/var/run/anycast-healthchecker/anycast-healthchecker.pid",
            "loglevel", "debug",
            "log_server_port", "514",
            "json_stdout", "false",
            "json_log_file", "false",
            "json_log_server", "false",
            "log_maxbytes", "104857600",
            "log_backups", "8",
            "log_format_journalctl", "false",
            "prometheus_exporter", "false",
            "prometheus_collector_textfile_dir", "/var/cache/textfile_collector/",
            "prometheus_exporter_interval", "10");

    private static final Set<String> SERVICE_KEYS = Set.of("check_cmd", "check_interval", "check_timeout", "check_rise",
            "check_fail", "check_disabled", "on_disabled", "ip_prefix", "interface", "ip_check_disabled",
            "custom_bird_reconfigure_cmd", "custom_bird_reconfigure_cmd_timeout");

    /** The parsed values of one service section. */
    record Section(String name, Ini.Origin origin, String cmd, List<String> argv, Duration interval, Duration timeout,
                   int rise, int fall, boolean disabled, String onDisabled, Prefix prefix, String iface,
                   boolean ipCheckDisabled, List<String> notes) {
    }

    private final Ini ini = new Ini();
    private final Findings findings;
    private final List<String> errors = new ArrayList<>();
    private final List<Section> sections = new ArrayList<>();

    private HealthcheckerIni(Findings findings) {
        this.findings = findings;
    }

    /**
     * Reads the inputs in order; unknown keys and ignored settings of a service become warnings in
     * {@code findings} (and notes on its section).
     *
     * @throws ImportException with every error, sorted, when any value cannot be used
     */
    static HealthcheckerIni read(List<AnycastHealthchecker.Input> inputs, Findings findings) throws ImportException {
        HealthcheckerIni read = new HealthcheckerIni(findings);
        Ini ini = read.ini;
        SERVICE_DEFAULTS.forEach((k, v) -> ini.builtIn(Ini.DEFAULT, k, v));
        DAEMON_DEFAULTS.forEach((k, v) -> ini.builtIn("daemon", k, v));
        for (AnycastHealthchecker.Input in : inputs) {
            ini.read(in.name(), in.text());
        }
        ini.problems().forEach(p -> read.errors.add(p.toString()));
        for (String key : List.of("bird_conf", "bird6_conf", "bird_variable", "bird6_variable", "bird_reconfigure_cmd",
                "bird_keep_changes", "bird6_keep_changes")) {
            read.value("daemon", key);
        }
        for (String name : ini.sections()) {
            if (!name.equals("daemon")) {
                read.section(name).ifPresent(read.sections::add);
            }
        }
        if (!read.errors.isEmpty()) {
            throw new ImportException(ImportException.sorted(read.errors));
        }
        return read;
    }

    List<Section> sections() {
        return List.copyOf(sections);
    }

    /** A {@code [daemon]} setting, its built-in default when absent. */
    String daemon(String key) {
        return ini.get("daemon", key);
    }

    /** The {@code [daemon]} entries, built-in defaults included. */
    List<Ini.Entry> daemonEntries() {
        return ini.own("daemon");
    }

    private Optional<Section> section(String name) {
        int before = errors.size();
        String cmd = required(name, "check_cmd");
        List<String> argv = List.of();
        if (cmd != null) {
            try {
                argv = Shlex.split(cmd);
                if (argv.isEmpty()) {
                    error(name, "check_cmd", "must be a command (found an empty value)");
                }
            } catch (IllegalArgumentException e) {
                error(name, "check_cmd", "cannot be split into words like a shell would: " + e.getMessage());
            }
        }
        Duration interval = seconds(name, "check_interval", true);
        Duration timeout = seconds(name, "check_timeout", false);
        int rise = integer(name, "check_rise");
        int fall = integer(name, "check_fail");
        boolean disabled = bool(name, "check_disabled");
        boolean ipCheckDisabled = bool(name, "ip_check_disabled");
        String onDisabled = value(name, "on_disabled");
        if (onDisabled != null && !onDisabled.equals("withdraw") && !onDisabled.equals("advertise")) {
            error(name, "on_disabled", "must be withdraw or advertise (found \"" + onDisabled + "\")");
        }
        Prefix prefix = null;
        String text = required(name, "ip_prefix");
        if (text != null) {
            Prefix.Parsed parsed = Prefix.parse(text.strip());
            if (parsed.prefix() == null) {
                error(name, "ip_prefix", parsed.error());
            } else {
                prefix = parsed.prefix();
            }
        }
        String iface = value(name, "interface");
        if (errors.size() > before) {
            return Optional.empty();
        }
        Ini.Origin origin = ini.sectionOrigin(name).orElse(Ini.Origin.BUILT_IN);
        List<String> notes = new ArrayList<>();
        for (Ini.Entry e : ini.own(name)) {
            if (!SERVICE_KEYS.contains(e.key())) {
                notes.add(findings.warn(e.origin() + ": [" + name + "] " + e.key(), e.key() + " = " + e.raw().strip()
                        + ": not an anycast-healthchecker setting; ignored"));
            } else if (e.key().equals("custom_bird_reconfigure_cmd")) {
                notes.add(findings.warn(e.origin() + ": [" + name + "] " + e.key(), "rhid does not run \"" + e.raw().strip()
                        + "\" on changes; services.NAME.on_change runs a command after each state change is applied"));
            }
        }
        return Optional.of(new Section(name, origin, cmd, argv, interval, timeout, rise, fall, disabled, onDisabled, prefix,
                iface, ipCheckDisabled, notes));
    }

    private String value(String section, String key) {
        try {
            return ini.get(section, key).strip();
        } catch (IllegalArgumentException e) {
            error(section, key, e.getMessage());
            return null;
        }
    }

    private String required(String section, String key) {
        if (ini.entry(section, key).isEmpty()) {
            Ini.Origin at = ini.sectionOrigin(section).orElse(Ini.Origin.BUILT_IN);
            errors.add(at + ": [" + section + "] " + key + ": is required");
            return null;
        }
        return value(section, key);
    }

    private Duration seconds(String section, String key, boolean positive) {
        String v = value(section, key);
        if (v == null) {
            return Duration.ZERO;
        }
        Duration d = CheckCommands.seconds(v);
        if (d == null || (positive && d.isZero())) {
            error(section, key, "must be a number of seconds" + (positive ? " greater than 0" : "") + " (found \"" + v + "\")");
            return Duration.ZERO;
        }
        return d;
    }

    private int integer(String section, String key) {
        String v = value(section, key);
        if (v == null) {
            return 0;
        }
        if (!v.matches("[+-]?\\d{1,9}")) {
            error(section, key, "must be a whole number (found \"" + v + "\")");
            return 0;
        }
        return Integer.parseInt(v);
    }

    private boolean bool(String section, String key) {
        String v = value(section, key);
        if (v == null) {
            return false;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "yes", "true", "on" -> {
                return true;
            }
            case "0", "no", "false", "off" -> {
                return false;
            }
            default -> {
                error(section, key, "must be true or false (found \"" + v + "\")");
                return false;
            }
        }
    }

    private void error(String section, String key, String message) {
        Ini.Origin at = ini.entry(section, key).map(Ini.Entry::origin).orElse(Ini.Origin.BUILT_IN);
        errors.add(at + ": [" + section + "] " + key + ": " + message);
    }

    /** Where a setting was made, for warnings: FILE:LINE: [SECTION] KEY. */
    String where(String section, String key) {
        Ini.Origin at = ini.entry(section, key).map(Ini.Entry::origin).orElse(ini.sectionOrigin(section).orElse(Ini.Origin.BUILT_IN));
        return at + ": [" + section + "] " + key;
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
