package io.rhid.agent.importer;

import io.rhid.agent.config.Prefix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts the command line of ExaBGP's healthcheck ({@code python3 -m exabgp healthcheck ...},
 * as of ExaBGP 4.2), or the {@code run ...;} line of the exabgp.conf process block that starts it,
 * into one rhid service: {@link HealthcheckOptions} reads the options, this class drafts the
 * service from them. Pure apart from reading a {@code --config} file and asking {@link Programs}
 * about the command. One instance per import.
 */
public final class ExabgpHealthcheck {

    static final String TOOL = "ExaBGP healthcheck";

    private static final Pattern COMMUNITY = Pattern.compile("(\\d{1,5}):(\\d{1,5})");
    private static final Pattern LARGE_COMMUNITY = Pattern.compile("(\\d{1,10}):(\\d{1,10}):(\\d{1,10})");
    private static final Pattern ASN = Pattern.compile("\\d{1,10}");

    private final Programs programs;
    private final Function<String, String> readConfig;
    private final Findings findings = new Findings();
    private final List<String> errors = new ArrayList<>();

    /** {@code readConfig} returns a {@code --config} file's text, or throws UncheckedIOException. */
    ExabgpHealthcheck(Programs programs, Function<String, String> readConfig) {
        this.programs = programs;
        this.readConfig = readConfig;
    }

    /** Converts healthcheck's arguments, or one {@code run ...;} line, with the host's programs and files. */
    public static Imported importArguments(List<String> args) throws ImportException {
        return new ExabgpHealthcheck(Programs.host(), file -> {
            try {
                return Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).convert(args);
    }

    Imported convert(List<String> args) throws ImportException {
        List<String> words = HealthcheckOptions.arguments(args);
        HealthcheckOptions options = HealthcheckOptions.parse(words, readConfig);
        Draft draft = build(options, String.join(" ", words.stream().map(Shlex::quote).toList()));
        if (!errors.isEmpty()) {
            throw new ImportException(errors.stream().distinct().toList());
        }
        return new Imported(YamlWriter.write(draft), findings.warnings());
    }

    // ---- conversion ----------------------------------------------------------------------------

    private Draft build(HealthcheckOptions o, String commandLine) {
        Draft draft = new Draft();
        draft.header.add("rhid config converted by `rhid import exabgp-healthcheck` from:");
        draft.header.add("  healthcheck " + commandLine);
        draft.header.add("Check it with `rhid check-config -c FILE`; comments marked WARNING are what could not be carried over.");
        draft.header.add("rhid runs as ExaBGP's API process, as healthcheck did (README: \"ExaBGP\"): replace healthcheck's");
        draft.header.add("`run` line in exabgp.conf with `run /usr/bin/rhid run -c /etc/rhid/rhid.yaml;`.");
        Map<String, Object> router = new LinkedHashMap<>();
        router.put("daemon", "exabgp");
        draft.top.put("router", router);

        String original = o.last("name") != null ? o.last("name") : o.last("label") != null ? o.last("label") : "healthcheck";
        Draft.Service service = new Draft.Service(new Names().serviceName(original));
        draft.services.add(service);

        // Prefixes.
        List<String> prefixes = new ArrayList<>();
        for (String ip : o.all("ip")) {
            Prefix.Parsed p = Prefix.parse(ip.strip());
            if (p.prefix() == null) {
                errors.add("--ip " + ip + ": " + p.error());
            } else {
                prefixes.add(p.prefix().toString());
            }
        }
        if (o.has("deaggregate-networks")) {
            prefixes = deaggregate(prefixes, service.comments);
        }
        prefixes = List.copyOf(new LinkedHashSet<>(prefixes));
        if (prefixes.isEmpty()) {
            service.enabled = false;
            service.comments.add(findings.warn("--ip", "no --ip: healthcheck announced the addresses found on lo"
                    + (o.last("label") != null ? " labelled " + o.last("label") : "") + "; list them under prefixes and"
                    + " uncomment this service"));
            service.fields.put("prefixes", List.of());
        } else {
            service.fields.put("prefixes", prefixes);
        }

        // Timing (healthcheck's defaults: interval 5, fast-interval 1, timeout 5, rise 3, fall 3).
        Duration interval = secondsOption(o, "interval", "5");
        Duration fast = secondsOption(o, "fast-interval", "1");
        Duration timeout = secondsOption(o, "timeout", "5");
        int rise = intOption(o, "rise", "3");
        int fall = intOption(o, "fall", "3");
        if (interval != null && interval.isZero()) {
            service.comments.add(findings.warn("--interval", "--interval 0 announced once and exited; rhid keeps checking,"
                    + " every 5s"));
            interval = Duration.ofSeconds(5);
        }
        if (interval == null || fast == null || timeout == null) {
            return draft;
        }
        List<String> timingNotes = new ArrayList<>();
        Duration checkTimeout = Timings.apply(service.fields, TOOL, interval, timeout.isZero() ? null : timeout, fast, rise,
                fall, findings, "--timeout", timingNotes);
        service.comments.addAll(timingNotes);

        Announcing announcing = announce(o, prefixes.size());
        service.fields.put("announce", Announcing.field(announcing.notes(), announcing.up()));
        announcing.exabgp().ifPresent(exabgp -> router.put("exabgp", exabgp));

        // Checks.
        String command = o.last("command");
        if (command != null) {
            service.checks.add(command(command, checkTimeout));
        }
        String disable = o.last("disable");
        if (disable != null) {
            Draft.Check file = new Draft.Check("file");
            file.comments.add("--disable " + disable + ": the service is withdrawn while this file exists");
            if (disable.startsWith("/")) {
                file.put("path", disable);
                service.checks.add(file);
            } else {
                service.comments.add(findings.warn("--disable", "\"" + disable + "\" is relative to ExaBGP's working"
                        + " directory; rhid needs an absolute path, so the maintenance file check is left out"));
            }
        }
        if (service.checks.isEmpty()) {
            Draft.Check file = new Draft.Check("file").put("path", "/etc/rhid/maintenance/" + service.name);
            file.comments.add("no --cmd: healthcheck treated the service as always healthy; this file is rhid's"
                    + " maintenance switch (create it to withdraw)");
            service.checks.add(file);
        }

        addresses(o, draft);
        ignored(o, service);
        int increase = intOption(o, "increase", "1");
        if (service.enabled && prefixes.size() > 1 && increase != 0) {
            draft.services.clear();
            draft.services.addAll(perPrefix(service, announcing, prefixes, intOption(o, "start-ip", "0"),
                    intOption(o, "up-metric", "100"), increase));
        }
        return draft;
    }

    /**
     * One service per prefix, as healthcheck's MED steps need: after rotating the list by
     * {@code --start-ip}, the first prefix gets the up metric and each further one {@code increase}
     * more. The checks are the same, so rhid runs them together (linked checks).
     */
    private List<Draft.Service> perPrefix(Draft.Service template, Announcing announcing, List<String> prefixes, int startIp,
                                          int upMetric, int increase) {
        List<String> order = new ArrayList<>(prefixes);
        java.util.Collections.rotate(order, -Math.floorMod(startIp, order.size()));
        List<Draft.Service> out = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            String suffix = "-" + (i + 1);
            Draft.Service s = new Draft.Service(template.name.substring(0, Math.min(template.name.length(), 63 - suffix.length()))
                    + suffix);
            long med = (long) upMetric + (long) i * increase;
            if (i == 0) {
                s.comments.addAll(template.comments);
            } else {
                s.comments.add("like the first, for " + order.get(i) + " with MED " + med);
            }
            s.fields.putAll(template.fields);
            s.fields.put("prefixes", List.of(order.get(i)));
            Map<String, Object> attributes = new LinkedHashMap<>(announcing.up());
            if (med >= 0 && med <= 4294967295L) {
                attributes.put("med", med);
            } else {
                attributes.remove("med");
                s.comments.add(findings.warn("--increase", "MED " + med + " for " + order.get(i) + " is out of range; left out"));
            }
            s.fields.put("announce", Announcing.field(i == 0 ? announcing.notes() : List.of(), attributes));
            s.checks.addAll(template.checks);
            out.add(s);
        }
        return out;
    }

    private Draft.Check command(String command, Duration timeout) {
        // healthcheck runs --cmd through /bin/sh; a command without shell syntax means the same as its words.
        if (needsShell(command)) {
            return CheckCommands.convert(List.of("/bin/sh", "-c", command), "--cmd", command, timeout, programs, findings, "--cmd");
        }
        List<String> argv;
        try {
            argv = Shlex.split(command);
        } catch (IllegalArgumentException e) {
            argv = List.of("/bin/sh", "-c", command);
        }
        return CheckCommands.convert(argv, "--cmd", command, timeout, programs, findings, "--cmd");
    }

    static boolean needsShell(String command) {
        for (String word : command.strip().split("\\s+")) {
            if (word.matches(".*[|&;<>()$`*?{}!\\n\\\\].*") || word.startsWith("#") || word.startsWith("~")) {
                return true;
            }
            if ((word.contains("[") || word.contains("]")) && !word.contains("://")) {
                return true;
            }
        }
        String first = command.strip().split("\\s+")[0];
        return first.contains("=") || first.isEmpty();
    }

    /**
     * A service's announce settings: the attributes while up, the comments explaining them, and
     * {@code router.exabgp} when a prepend needs the local ASN.
     */
    private record Announcing(Map<String, Object> up, List<String> notes, Optional<Draft.Commented> exabgp) {

        /** The service's {@code announce} key with {@code up} attributes, commented with {@code comments}. */
        static Draft.Commented field(List<String> comments, Map<String, Object> up) {
            Map<String, Object> announce = new LinkedHashMap<>();
            announce.put("up", new Draft.Flow(up));
            return new Draft.Commented(comments, announce);
        }
    }

    private Announcing announce(HealthcheckOptions o, int prefixCount) {
        Map<String, Object> exabgp = new LinkedHashMap<>();
        String asnNote = null;
        Map<String, Object> up = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        String community = o.last("community");
        if (community != null) {
            List<String> good = new ArrayList<>();
            for (String c : words(community)) {
                if (communityOk(c)) {
                    good.add(c);
                } else {
                    notes.add(findings.warn("--community", "\"" + c + "\" is not a community ASN:VALUE rhid can announce; left out"));
                }
            }
            if (!good.isEmpty()) {
                up.put("communities", good);
            }
        }
        String large = o.last("large-community");
        if (large != null) {
            List<String> good = new ArrayList<>();
            for (String c : words(large)) {
                Matcher m = LARGE_COMMUNITY.matcher(c);
                if (m.matches() && Long.parseLong(m.group(1)) <= 4294967295L && Long.parseLong(m.group(2)) <= 4294967295L
                        && Long.parseLong(m.group(3)) <= 4294967295L) {
                    good.add(c);
                } else {
                    notes.add(findings.warn("--large-community", "\"" + c + "\" is not a large community rhid can announce; left out"));
                }
            }
            if (!good.isEmpty()) {
                up.put("large_communities", good);
            }
        }
        int upMetric = intOption(o, "up-metric", "100");
        if (upMetric >= 0) {
            up.put("med", upMetric);
        } else {
            notes.add(findings.warn("--up-metric", "MED " + upMetric + " is negative; left out"));
        }
        String asPath = o.last("up-as-path") != null ? o.last("up-as-path") : o.last("as-path");
        if (asPath != null) {
            List<String> asns = words(asPath);
            if (!asns.isEmpty() && asns.stream().allMatch(a -> ASN.matcher(a).matches() && a.equals(asns.get(0)))
                    && Long.parseLong(asns.get(0)) <= 4294967295L) {
                // ExaBGP sends the given AS path as it is; BIRD adds the local ASN itself on eBGP, so
                // n copies of the local ASN are n - 1 prepends.
                int prepend = asns.size() - 1;
                if (prepend > 10) {
                    notes.add(findings.warn("--as-path", "AS path of " + asns.size() + " times " + asns.get(0)
                            + " needs " + prepend + " prepends; rhid allows at most 10"));
                    prepend = 10;
                }
                if (prepend > 0) {
                    up.put("prepend", prepend);
                    exabgp.put("asn", Long.parseLong(asns.get(0)));
                    asnNote = "asn: taken from the AS path \"" + asPath
                            + "\", assumed to be this host's own ASN (rhid sends it prepend + 1 times)";
                }
            } else {
                notes.add(findings.warn("--as-path", "AS path \"" + asPath + "\" is not repetitions of the local ASN;"
                        + " rhid can only prepend the local ASN, so it is left out"));
            }
        }
        if (prefixCount > 1 && intOption(o, "increase", "1") != 0) {
            notes.add("--increase " + intOption(o, "increase", "1") + ": healthcheck raised the MED for each further --ip"
                    + " (in --start-ip order); one service per prefix keeps each prefix's MED");
        } else if (prefixCount > 1 && o.has("start-ip")) {
            notes.add("--start-ip " + o.last("start-ip") + ": all prefixes share one MED, so the order does not matter");
        }
        if (o.has("withdraw-on-down")) {
            notes.add("--withdraw-on-down: withdrawn while down or disabled, as rhid always does");
        } else {
            List<String> lost = new ArrayList<>();
            lost.add("MED " + intOption(o, "down-metric", "1000") + " while down");
            lost.add("MED " + intOption(o, "disabled-metric", "500") + " while disabled");
            for (String key : List.of("disabled-community", "down-as-path", "disabled-as-path")) {
                if (o.last(key) != null) {
                    lost.add("--" + key + " " + o.last(key));
                }
            }
            notes.add(findings.warn("--withdraw-on-down", "without --withdraw-on-down healthcheck kept announcing a down or"
                    + " disabled service (" + String.join(", ", lost) + "); rhid withdraws it. Use `rhid drain` to move"
                    + " traffic away gracefully"));
        }
        Optional<Draft.Commented> router = exabgp.isEmpty() ? Optional.empty()
                : Optional.of(new Draft.Commented(List.of(asnNote), exabgp));
        return new Announcing(up, notes, router);
    }

    private static boolean communityOk(String c) {
        Matcher m = COMMUNITY.matcher(c);
        return m.matches() && Integer.parseInt(m.group(1)) <= 65535 && Integer.parseInt(m.group(2)) <= 65535;
    }

    private void addresses(HealthcheckOptions o, Draft draft) {
        Map<String, Object> addresses = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        if (o.has("no-ip-setup")) {
            addresses.put("manage", false);
            notes.add("--no-ip-setup: the addresses are set up elsewhere");
        } else {
            addresses.put("manage", true);
            addresses.put("interface", "lo");
            if (o.has("dynamic-ip-setup")) {
                addresses.put("remove_when_down", true);
                notes.add("--dynamic-ip-setup: the address is removed after the route is withdrawn");
            }
            if (o.last("label") != null) {
                notes.add("--label " + o.last("label") + ": rhid does not label addresses; it records the ones it added");
            }
        }
        draft.top.put("addresses", new Draft.Commented(notes, addresses));
    }

    private void ignored(HealthcheckOptions o, Draft.Service service) {
        Map<String, String> unsupported = new LinkedHashMap<>();
        unsupported.put("next-hop", "rhid announces with the routing daemon's own next hop (next-hop self)");
        unsupported.put("local-preference", "rhid sets no LOCAL_PREF");
        unsupported.put("extended-community", "rhid announces no extended communities");
        unsupported.put("path-id", "rhid announces no ADD-PATH path id");
        unsupported.put("neighbor", "rhid announces to every peer the routing daemon exports to");
        unsupported.put("execute", "not run; rhid's services.NAME.on_change runs a command after each state change");
        unsupported.put("up-execute", "not run; see services.NAME.on_change (RHID_TO=up)");
        unsupported.put("down-execute", "not run; see services.NAME.on_change (RHID_TO=down)");
        unsupported.put("disabled-execute", "not run; see services.NAME.on_change");
        unsupported.forEach((key, why) -> {
            for (String v : o.all(key)) {
                if (key.equals("next-hop") && v.equals("self")) {
                    continue;
                }
                if (key.equals("local-preference") && v.strip().startsWith("-")) {
                    continue;
                }
                service.comments.add(findings.warn("--" + key, "--" + key + " " + v + ": " + why));
            }
        });
        List<String> process = new ArrayList<>();
        for (String key : List.of("silent", "syslog-facility", "no-syslog", "no-ack", "sudo", "debug", "pid", "user", "group",
                "config", "ip-setup")) {
            if (o.has(key)) {
                process.add("--" + key);
            }
        }
        if (!process.isEmpty()) {
            service.comments.add("not needed by rhid (it logs to stderr, runs as its own user with CAP_NET_ADMIN): "
                    + String.join(" ", process));
        }
    }

    private List<String> deaggregate(List<String> prefixes, List<String> comments) {
        List<String> out = new ArrayList<>();
        for (String text : prefixes) {
            Prefix p = Prefix.parse(text).prefix();
            int max = p.v6() ? 128 : 32;
            if (max - p.length() > 8) {
                comments.add(findings.warn("--deaggregate-networks", p + " has more than 256 addresses; announced as one"
                        + " prefix instead of one per address"));
                out.add(text);
                continue;
            }
            for (long i = 0; i < (1L << (max - p.length())); i++) {
                out.add(new Prefix(p.v6(), p.high(), p.low() + i, max).toString());
            }
        }
        return out;
    }

    private static List<String> words(String value) {
        List<String> out = new ArrayList<>();
        for (String w : value.replace("[", " ").replace("]", " ").strip().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private Duration secondsOption(HealthcheckOptions o, String key, String fallback) {
        String v = Optional.ofNullable(o.last(key)).orElse(fallback);
        Duration d = CheckCommands.seconds(v);
        if (d == null) {
            errors.add("--" + key + " " + v + ": must be a number of seconds");
        }
        return d;
    }

    private int intOption(HealthcheckOptions o, String key, String fallback) {
        String v = Optional.ofNullable(o.last(key)).orElse(fallback).strip();
        if (!v.matches("[+-]?\\d{1,9}")) {
            errors.add("--" + key + " " + v + ": must be a whole number");
            return 0;
        }
        return Integer.parseInt(v);
    }
}
