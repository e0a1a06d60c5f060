package io.rhid.agent.router.frr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.CommandResult;
import io.rhid.agent.router.CommandRunner;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * rhid's client of FRR's bgpd, through vtysh: reads bgpd's running config ({@code vtysh -d bgpd
 * -c 'show running-config'}), runs a delta as one batch on vtysh's standard input, asks whether
 * prefixes are originated, and says why bgpd cannot be reached. Only bgpd gets rhid's lines
 * (without {@code -d} vtysh would copy route-maps into zebra too, where a restarted bgpd's repair
 * never looks). Holds only its settings; used from the control loop's thread.
 */
final class Bgpd {

    private static final Logger log = LoggerFactory.getLogger(Bgpd.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** show commands per vtysh process when checking origination. */
    private static final int SHOW_CHUNK = 1000;
    private static final String DEFAULT_VTY_DIR = "/var/run/frr";

    private final RouterConfig.Frr frr;
    private final BgpInstance instance;
    private final CommandRunner runner;
    private final Duration timeout;

    Bgpd(RouterConfig.Frr frr, BgpInstance instance, CommandRunner runner, Duration timeout) {
        this.frr = frr;
        this.instance = instance;
        this.runner = runner;
        this.timeout = timeout;
    }

    /** bgpd's running config, or why bgpd is not running (then {@code config} is null). */
    record Running(FrrRunningConfig config, String down) {
    }

    /** bgpd's running config; fails unless bgpd answers. */
    FrrRunningConfig requireRunning() throws ApplyException {
        Running r = readRunning();
        if (r.config() == null) {
            throw new ApplyException(r.down());
        }
        return r.config();
    }

    Running readRunning() throws ApplyException {
        CommandResult r = runner.run(vtysh("-d", "bgpd", "-c", "show running-config"), null, timeout);
        requireStarted(r, "vtysh", "router.frr.vtysh", frr.vtysh());
        if (r.ok() && r.output().contains("Current configuration")) {
            return new Running(FrrRunningConfig.parse(r.output()), null);
        }
        if (r.timedOut()) {
            throw new ApplyException("vtysh -d bgpd -c 'show running-config' did not answer within " + timeout.toMillis()
                    + " ms: " + r.summary());
        }
        if (r.ok()) {
            throw new ApplyException("unexpected reply to vtysh -d bgpd -c 'show running-config': " + r.summary());
        }
        Path socket = vtyDirectory().resolve("bgpd.vty");
        String socketState = probe(socket);
        if (socketState == null) {
            return new Running(null, "bgpd is not running (nothing listens on " + socket + "; vtysh: " + r.summary() + ")");
        }
        throw new ApplyException("vtysh cannot reach bgpd (" + socket + ": " + socketState + "; the user running rhid "
                + "needs root or the frrvty group, and router.frr.vtysh_args the daemons' --vty_socket): " + r.summary());
    }

    /** Null when nothing listens on {@code socket}; else what connecting to it tells. */
    static String probe(Path socket) {
        if (!Files.exists(socket)) {
            return null;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return "it accepts connections";
        } catch (SocketException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("refused") || m.contains("No such file")) {
                return null;
            }
            return m.toLowerCase(Locale.ROOT);
        } catch (IOException | UnsupportedOperationException e) {
            return String.valueOf(e.getMessage());
        }
    }

    /**
     * Reads bgpd again and fails unless rhid's lines there are exactly {@code target}'s;
     * {@code after} names the change just made and {@code detail} ends the message.
     */
    void requireHolds(DesiredState target, String after, String detail) throws ApplyException {
        FrrRunningConfig now = requireRunning();
        FrrDelta left = FrrDiff.delta(now, target, instance);
        if (!left.isEmpty()) {
            throw new ApplyException("bgpd does not hold rhid's lines after " + after + ": " + FrrDiff.differences(now, left)
                    + detail);
        }
    }

    /** Runs {@code delta} as one vtysh batch on standard input. */
    CommandResult batch(FrrDelta delta) throws ApplyException {
        String text = FrrSyntax.batch(delta);
        List<String> argv = vtysh("-d", "bgpd", "-f", "/dev/stdin");
        CommandResult r = runner.run(argv, text, timeout);
        requireStarted(r, "vtysh", "router.frr.vtysh", frr.vtysh());
        if (r.timedOut()) {
            throw new ApplyException("vtysh batch (" + delta.summary() + ") did not finish within " + timeout.toMillis()
                    + " ms and was killed; bgpd may hold part of it: " + r.summary());
        }
        log.info("frr: vtysh batch, {}: {} lines in {} ms", delta.summary(), text.lines().count() - 1,
                String.format(Locale.ROOT, "%.1f", r.durationNanos() / 1e6));
        return r;
    }

    /** Whether {@code router.frr.vrf} exists in FRR, for the error about a missing BGP instance. */
    String vrfState() {
        CommandResult r = runner.run(vtysh("-c", "show vrf"), null, timeout);
        if (!r.ok()) {
            return "cannot list VRFs: " + r.summary();
        }
        for (String line : r.output().split("\n")) {
            String[] tokens = line.strip().split("\\s+");
            if (tokens.length >= 2 && tokens[0].equals("vrf") && tokens[1].equals(frr.vrf())) {
                return line.contains("inactive") ? "VRF " + frr.vrf() + " is inactive (no kernel device)"
                        : "VRF " + frr.vrf() + " exists";
            }
        }
        return "VRF " + frr.vrf() + " does not exist in FRR (show vrf)";
    }

    /** The prefixes among {@code prefixes} bgpd does not originate with a valid route, and why. */
    SortedMap<Prefix, String> origination(SortedSet<Prefix> prefixes) throws ApplyException {
        SortedMap<Prefix, String> problems = new TreeMap<>();
        List<Prefix> all = new ArrayList<>(prefixes);
        for (int from = 0; from < all.size(); from += SHOW_CHUNK) {
            List<Prefix> chunk = all.subList(from, Math.min(all.size(), from + SHOW_CHUNK));
            List<String> args = new ArrayList<>(List.of("-d", "bgpd"));
            for (Prefix p : chunk) {
                args.add("-c");
                args.add("show bgp " + (instance.vrf().isEmpty() ? "" : "vrf " + instance.vrf() + " ")
                        + (p.v6() ? "ipv6" : "ipv4") + " unicast " + p + " json");
            }
            CommandResult r = runner.run(vtysh(args.toArray(String[]::new)), null, timeout);
            requireStarted(r, "vtysh", "router.frr.vtysh", frr.vtysh());
            List<JsonNode> replies = jsonReplies(r, "cannot parse bgpd's reply to show bgp ... json" + r.exitSuffix());
            if (!r.ok() || replies.size() != chunk.size()) {
                throw new ApplyException("unexpected reply to " + chunk.size() + " show bgp ... json commands" + r.exitSuffix()
                        + " (" + replies.size() + " answers): " + r.summary());
            }
            for (int i = 0; i < chunk.size(); i++) {
                String problem = originationProblem(replies.get(i));
                if (problem != null) {
                    problems.put(chunk.get(i), problem);
                }
            }
        }
        return problems;
    }

    /**
     * The JSON documents in vtysh's output, one per {@code show ... json} command it ran;
     * {@code unreadable} starts the error when the output is not JSON.
     */
    static List<JsonNode> jsonReplies(CommandResult r, String unreadable) throws ApplyException {
        List<JsonNode> replies = new ArrayList<>();
        try (MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(r.output())) {
            while (it.hasNext()) {
                replies.add(it.next());
            }
        } catch (IOException | RuntimeException e) {
            throw new ApplyException(unreadable + ": " + r.summary(), e);
        }
        return replies;
    }

    /** Null when the reply shows a locally originated, valid path; else what is wrong. */
    static String originationProblem(JsonNode reply) {
        JsonNode paths = reply.path("paths");
        if (!paths.isArray() || paths.isEmpty()) {
            return "bgpd has no route for it";
        }
        for (JsonNode path : paths) {
            if (path.path("sourced").asBoolean(false) || path.path("local").asBoolean(false)) {
                if (path.path("valid").asBoolean(false)) {
                    return null;
                }
                boolean inaccessible = false;
                for (JsonNode nh : path.path("nexthops")) {
                    inaccessible |= !nh.path("accessible").asBoolean(true);
                }
                return "not valid" + (inaccessible ? " (next hop not accessible: the prefix is not in zebra's RIB)" : "");
            }
        }
        return "bgpd has no locally originated path for it";
    }

    private List<String> vtysh(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(frr.vtysh().toString());
        argv.addAll(frr.vtyshArgs());
        argv.addAll(List.of(args));
        return argv;
    }

    /** The daemons' VTY socket directory: vtysh's --vty_socket, or FRR's default with -N/--pathspace. */
    private Path vtyDirectory() {
        Optional<String> dir = option(frr.vtyshArgs(), "--vty_socket");
        if (dir.isPresent()) {
            return Path.of(dir.get());
        }
        Optional<String> pathspace = option(frr.vtyshArgs(), "--pathspace").or(() -> option(frr.vtyshArgs(), "-N"));
        return pathspace.map(ns -> Path.of(DEFAULT_VTY_DIR, ns)).orElse(Path.of(DEFAULT_VTY_DIR));
    }

    /** The value of {@code --name VALUE} or {@code --name=VALUE} in {@code args}. */
    static Optional<String> option(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(name) && i + 1 < args.size()) {
                return Optional.of(args.get(i + 1));
            }
            if (a.startsWith(name + "=")) {
                return Optional.of(a.substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    static void requireStarted(CommandResult r, String what, String field, Path path) throws ApplyException {
        if (r.exitCode() == -1 && !r.timedOut() && r.output().startsWith("cannot start")) {
            throw new ApplyException("cannot run " + what + " (" + field + " is " + path + "): " + r.summary());
        }
    }

    /** The lines of vtysh's output that report a failed line, for error messages. */
    static String batchErrors(CommandResult r) {
        List<String> errors = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            String t = line.strip();
            if (!t.isEmpty() && (t.startsWith("line ") || t.startsWith("%"))) {
                errors.add(t);
            }
        }
        if (errors.isEmpty()) {
            return r.ok() ? "" : " (vtysh" + r.exitSuffix() + ": " + r.summary() + ")";
        }
        return " (vtysh" + r.exitSuffix() + ": " + String.join(" | ", errors.subList(0, Math.min(5, errors.size())))
                + (errors.size() > 5 ? " and " + (errors.size() - 5) + " more" : "") + ")";
    }
}
