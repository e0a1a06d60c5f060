package io.rhid.agent.importer;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a health-check command into an rhid check: a recognisable {@code curl}, {@code nc} or
 * {@code dig} invocation becomes a native http, tcp or dns check (the command is kept as a
 * comment), anything else an exec check. Only invocations whose every option has a native
 * equivalent are converted, so the native check passes and fails when the command did. Pure apart
 * from asking {@link Programs} whether rhid could run a command.
 */
final class CheckCommands {

    /** Runs when the original command cannot: keeps the service withdrawn until the operator fixes it. */
    static final String FAIL_CLOSED = "/bin/false";

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern PORT = Pattern.compile("[1-9]\\d{0,4}");
    private static final Pattern SECONDS = Pattern.compile("\\d+(\\.\\d+)?|\\.\\d+");
    private static final Set<String> RECORDS = Set.of("A", "AAAA", "CNAME", "MX", "NS", "SOA", "SRV", "TXT");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "OPTIONS");
    private static final Set<String> NETCATS = Set.of("nc", "netcat", "ncat", "nc.openbsd", "nc.traditional");

    private CheckCommands() {
    }

    /**
     * The check for {@code argv}. {@code label} and {@code original} say where the command came
     * from (for the comment); {@code timeout} is the check's timeout, which a shorter
     * {@code curl --max-time} lowers.
     */
    static Draft.Check convert(List<String> argv, String label, String original, Duration timeout,
                               Programs programs, Findings findings, String where) {
        Optional<Draft.Check> nativeCheck = argv.isEmpty() ? Optional.empty() : switch (basename(argv.get(0))) {
            case "curl" -> curl(argv, timeout);
            case "dig" -> dig(argv);
            default -> NETCATS.contains(basename(argv.get(0))) ? netcat(argv) : Optional.empty();
        };
        if (nativeCheck.isPresent()) {
            Draft.Check c = nativeCheck.get();
            c.comments.add(0, label + ": " + original);
            return c;
        }
        Draft.Check exec = new Draft.Check("exec");
        exec.comments.add(label + ": " + original);
        Optional<String> problem = argv.isEmpty() ? Optional.of("the command is empty") : programs.problem(argv.get(0));
        if (problem.isPresent()) {
            exec.comments.add(findings.warn(where, problem.get() + "; the check runs " + FAIL_CLOSED
                    + " instead, so the service stays withdrawn until you fix the command"));
            exec.put("command", List.of(FAIL_CLOSED));
            return exec;
        }
        exec.put("command", argv);
        return exec;
    }

    static String basename(String program) {
        return program.substring(program.lastIndexOf('/') + 1);
    }

    // ---- curl --------------------------------------------------------------------------------

    private static Optional<Draft.Check> curl(List<String> argv, Duration timeout) {
        boolean fail = false;
        boolean insecure = false;
        boolean follow = false;
        String method = null;
        String url = null;
        Duration maxTime = null;
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            String option;
            String value = null;
            if (a.startsWith("--")) {
                option = a;
            } else if (a.startsWith("-") && a.length() > 1) {
                // Short options may be bundled (-fsS); the last may take a value (-so /dev/null, -m2).
                option = null;
                for (int k = 1; k < a.length(); k++) {
                    char c = a.charAt(k);
                    if ("oXHmA".indexOf(c) >= 0) {
                        option = "-" + c;
                        if (k + 1 < a.length()) {
                            value = a.substring(k + 1);
                        }
                        break;
                    }
                    switch (c) {
                        case 'f' -> fail = true;
                        case 'k' -> insecure = true;
                        case 'L' -> follow = true;
                        case 'I' -> method = "HEAD";
                        case 's', 'S', 'q', '4', '6', 'v' -> {
                        }
                        default -> {
                            return Optional.empty();
                        }
                    }
                }
                if (option == null) {
                    continue;
                }
            } else {
                if (url != null) {
                    return Optional.empty();
                }
                url = a;
                continue;
            }
            switch (option) {
                case "--fail", "--fail-with-body" -> fail = true;
                case "--insecure" -> insecure = true;
                case "--location" -> follow = true;
                case "--head" -> method = "HEAD";
                case "--silent", "--show-error", "--no-progress-meter", "--disable", "--ipv4", "--ipv6", "--verbose" -> {
                }
                default -> {
                    if (!Set.of("-o", "--output", "-X", "--request", "-H", "--header", "-m", "--max-time",
                            "--connect-timeout", "-A", "--user-agent", "--url").contains(option)) {
                        return Optional.empty();
                    }
                    if (value == null) {
                        if (i + 1 >= argv.size()) {
                            return Optional.empty();
                        }
                        value = argv.get(++i);
                    }
                    switch (option) {
                        case "-o", "--output" -> {
                            if (!value.equals("/dev/null")) {
                                return Optional.empty();
                            }
                        }
                        case "-X", "--request" -> {
                            if (!METHODS.contains(value)) {
                                return Optional.empty();
                            }
                            method = value;
                        }
                        case "-H", "--header" -> {
                            int colon = value.indexOf(':');
                            if (colon <= 0 || value.substring(colon + 1).isBlank()) {
                                return Optional.empty();
                            }
                            headers.put(value.substring(0, colon).strip(), value.substring(colon + 1).strip());
                        }
                        case "-A", "--user-agent" -> headers.put("User-Agent", value);
                        case "-m", "--max-time" -> {
                            maxTime = seconds(value);
                            if (maxTime == null) {
                                return Optional.empty();
                            }
                        }
                        case "--connect-timeout" -> {
                            if (seconds(value) == null) {
                                return Optional.empty();
                            }
                        }
                        default -> {
                            if (url != null) {
                                return Optional.empty();
                            }
                            url = value;
                        }
                    }
                }
            }
        }
        if (url == null) {
            return Optional.empty();
        }
        if (!url.contains("://")) {
            url = "http://" + url;  // curl's default scheme
        }
        String scheme = url.substring(0, url.indexOf("://")).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.matches(".*[\\s{}].*")) {
            return Optional.empty();
        }
        Draft.Check c = new Draft.Check("http").put("url", url);
        if (method != null && !method.equals("GET")) {
            c.put("method", method);
        }
        if (!headers.isEmpty()) {
            c.put("headers", new Draft.Flow(new LinkedHashMap<>(headers)));
        }
        // curl exits 0 on any HTTP response unless --fail, which fails on 400 and above.
        c.put("expect_status", List.of(fail ? "200-399" : "100-599"));
        if (insecure) {
            c.put("tls_verify", false);
        }
        if (follow) {
            c.put("follow_redirects", true);
        }
        if (maxTime != null && maxTime.compareTo(timeout) < 0 && maxTime.toMillis() >= 1) {
            c.put("timeout", io.rhid.agent.config.Durations.format(maxTime));
        }
        return Optional.of(c);
    }

    // ---- nc ----------------------------------------------------------------------------------

    private static Optional<Draft.Check> netcat(List<String> argv) {
        boolean zero = false;
        String host = null;
        String port = null;
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.startsWith("-") && a.length() > 1) {
                for (int k = 1; k < a.length(); k++) {
                    char c = a.charAt(k);
                    if (c == 'w') {
                        String value = k + 1 < a.length() ? a.substring(k + 1) : i + 1 < argv.size() ? argv.get(++i) : null;
                        if (value == null || seconds(value) == null) {
                            return Optional.empty();
                        }
                        break;
                    }
                    switch (c) {
                        case 'z' -> zero = true;
                        case 'v', 'n', '4', '6' -> {
                        }
                        default -> {
                            return Optional.empty();
                        }
                    }
                }
            } else if (host == null) {
                host = a;
            } else if (port == null) {
                port = a;
            } else {
                return Optional.empty();
            }
        }
        // Without -z, nc would wait for input and the exit status would mean something else.
        if (!zero || host == null || port == null || !PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
            return Optional.empty();
        }
        String address;
        if (host.equals("localhost") || IPV4.matcher(host).matches()) {
            address = host + ":" + port;
        } else if (IPV6.matcher(host).matches()) {
            address = "[" + host + "]:" + port;
        } else {
            return Optional.empty();
        }
        return Optional.of(new Draft.Check("tcp").put("address", address));
    }

    // ---- dig ---------------------------------------------------------------------------------

    private static Optional<Draft.Check> dig(List<String> argv) {
        String server = null;
        String port = "53";
        String name = null;
        String record = null;
        boolean tcp = false;
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.startsWith("@")) {
                server = a.substring(1);
            } else if (a.equals("-p") || a.equals("-t") || a.equals("-q")) {
                if (i + 1 >= argv.size()) {
                    return Optional.empty();
                }
                String value = argv.get(++i);
                switch (a) {
                    case "-p" -> port = value;
                    case "-t" -> record = value.toUpperCase(Locale.ROOT);
                    default -> name = value;
                }
            } else if (a.equals("-4") || a.equals("-6")) {
                continue;
            } else if (a.startsWith("+")) {
                String opt = a.substring(1).toLowerCase(Locale.ROOT);
                if (opt.equals("tcp") || opt.equals("vc")) {
                    tcp = true;
                } else if (!opt.equals("short") && !opt.equals("notcp") && !opt.equals("novc")
                        && !opt.matches("(time|tries|retry)=\\d+")) {
                    return Optional.empty();
                }
            } else if (a.startsWith("-")) {
                return Optional.empty();
            } else if (RECORDS.contains(a.toUpperCase(Locale.ROOT)) && name != null && record == null) {
                record = a.toUpperCase(Locale.ROOT);
            } else if (a.equalsIgnoreCase("IN")) {
                continue;
            } else if (name == null) {
                name = a;
            } else {
                return Optional.empty();
            }
        }
        // Without @server dig asks the system's resolver, which rhid's dns check cannot do.
        if (server == null || name == null || !PORT.matcher(port).matches() || Integer.parseInt(port) > 65535
                || (record != null && !RECORDS.contains(record)) || !name.matches("[A-Za-z0-9_.-]+")) {
            return Optional.empty();
        }
        String endpoint;
        if (IPV4.matcher(server).matches()) {
            endpoint = server + ":" + port;
        } else if (IPV6.matcher(server).matches()) {
            endpoint = "[" + server + "]:" + port;
        } else {
            return Optional.empty();
        }
        Draft.Check c = new Draft.Check("dns").put("server", endpoint).put("name", name);
        c.put("record", record == null ? "A" : record);
        if (tcp) {
            c.put("tcp", true);
        }
        // dig exits 0 on any reply, NXDOMAIN and SERVFAIL included; rhid's check wants NOERROR.
        c.comments.add("dig passed on any reply; this check passes only on NOERROR");
        return Optional.of(c);
    }

    /** Seconds as a duration (rounded to whole milliseconds), or null when not a plain number. */
    static Duration seconds(String text) {
        String t = text.strip();
        if (!SECONDS.matcher(t).matches()) {
            return null;
        }
        BigDecimal ms = new BigDecimal(t.startsWith(".") ? "0" + t : t).movePointRight(3);
        if (ms.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
            return null;
        }
        return Duration.ofMillis(ms.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
    }
}
