package io.rhid.agent.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.RouterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What rhid last applied, as kept in {@code STATE_DIR/applied.json}: the routing daemon and how to
 * reach it (BIRD's include file, socket and protocol names; FRR's vtysh, its arguments, ASN, VRF,
 * mode and network lines), the control socket, and the addresses rhid added and on which
 * interface. {@code rhid withdraw-all} works from it when the config cannot be read. A value;
 * {@link #write} and {@link #read} do the I/O.
 *
 * @param router       the router settings in force (reconcile_interval is not recorded)
 * @param addresses    the address settings in force
 * @param controlSocket the daemon's control socket
 * @param announced    the prefixes announced by the last apply
 * @param networkLines FRR only: the {@code network} lines rhid had bgpd hold
 * @param added        the addresses rhid added to the interface (and may remove)
 * @param writtenAt    when the record was written (for the operator)
 */
public record AppliedRecord(RouterConfig router, RhidConfig.Addresses addresses, Path controlSocket, List<String> announced,
                            List<String> networkLines, List<String> added, Instant writtenAt) {

    public static final String FILE = "applied.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public AppliedRecord {
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(controlSocket, "controlSocket");
        announced = List.copyOf(announced);
        networkLines = List.copyOf(networkLines);
        added = List.copyOf(added);
        Objects.requireNonNull(writtenAt, "writtenAt");
    }

    /** The record for {@code config} with {@code announced} applied; FRR's lines from {@code rendered}. */
    public static AppliedRecord of(RhidConfig config, Collection<Prefix> announced, String rendered, Collection<String> added,
                                   Instant now) {
        List<String> networks = new ArrayList<>();
        if (config.router().daemon() == RouterConfig.Daemon.FRR) {
            rendered.lines().map(String::strip).filter(l -> l.startsWith("network ")).forEach(networks::add);
        }
        return new AppliedRecord(config.router(), config.addresses(), config.control().socket(),
                announced.stream().map(Prefix::toString).toList(), networks, List.copyOf(added), now);
    }

    /** Equal apart from when it was written: no need to write it again. */
    public boolean sameAs(AppliedRecord other) {
        return other != null && router.equals(other.router) && addresses.equals(other.addresses)
                && controlSocket.equals(other.controlSocket) && announced.equals(other.announced)
                && networkLines.equals(other.networkLines) && added.equals(other.added);
    }

    public static Path file(Path stateDir) {
        return stateDir.resolve(FILE);
    }

    /**
     * Writes the record into {@code stateDir} atomically (temp file, rename) but without fsync:
     * it must survive a crash of rhid, which the page cache does, not of the host, whose routes
     * go with it; an fsync per apply would cost milliseconds on a busy disk.
     */
    public void write(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Path tmp = Files.createTempFile(stateDir, "." + FILE + ".", ".tmp");
        try {
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson()) + "\n");
            Files.move(tmp, file(stateDir), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The record in {@code stateDir}, or empty when there is none. */
    public static Optional<AppliedRecord> read(Path stateDir) throws IOException {
        Optional<String> text = AtomicFiles.read(file(stateDir));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(fromJson(JSON.readTree(text.get())));
        } catch (RuntimeException | IOException e) {
            throw new IOException(file(stateDir) + " is not a record rhid wrote: " + e.getMessage(), e);
        }
    }

    private ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("written_at", writtenAt.toString());
        o.put("daemon", router.daemon().name().toLowerCase(java.util.Locale.ROOT));
        o.put("command_timeout_ms", router.commandTimeout().toMillis());
        RouterConfig.Bird b = router.bird();
        ObjectNode bird = o.putObject("bird");
        bird.put("include_file", b.includeFile().toString());
        bird.put("birdc", b.birdc().map(Path::toString).orElse(null));
        bird.put("socket", b.socket().toString());
        bird.put("protocol_v4", b.protocolV4());
        bird.put("protocol_v6", b.protocolV6());
        if (b.asn().isPresent()) {
            bird.put("asn", b.asn().getAsLong());
        }
        RouterConfig.Frr f = router.frr();
        ObjectNode frr = o.putObject("frr");
        frr.put("vtysh", f.vtysh().toString());
        strings(frr.putArray("vtysh_args"), f.vtyshArgs());
        frr.put("asn", f.asn());
        frr.put("vrf", f.vrf());
        frr.put("mode", f.mode().name().toLowerCase(java.util.Locale.ROOT));
        frr.put("config_file", f.configFile().toString());
        frr.put("frr_reload", f.frrReload().toString());
        strings(frr.putArray("frr_reload_args"), f.frrReloadArgs());
        strings(frr.putArray("network_lines"), networkLines);
        ObjectNode exabgp = o.putObject("exabgp");
        if (router.exabgp().asn().isPresent()) {
            exabgp.put("asn", router.exabgp().asn().getAsLong());
        }
        o.put("control_socket", controlSocket.toString());
        ObjectNode a = o.putObject("addresses");
        a.put("manage", addresses.manage());
        a.put("interface", addresses.interfaceName());
        a.put("remove_when_down", addresses.removeWhenDown());
        strings(a.putArray("added"), added);
        strings(o.putArray("announced"), announced);
        return o;
    }

    private static AppliedRecord fromJson(JsonNode o) {
        JsonNode b = o.path("bird");
        RouterConfig.Bird bird = new RouterConfig.Bird(path(b, "include_file"),
                b.path("birdc").isTextual() ? Optional.of(Path.of(b.get("birdc").asText())) : Optional.empty(),
                path(b, "socket"), text(b, "protocol_v4"), text(b, "protocol_v6"),
                b.path("asn").isNumber() ? OptionalLong.of(b.get("asn").asLong()) : OptionalLong.empty());
        JsonNode f = o.path("frr");
        RouterConfig.Frr frr = new RouterConfig.Frr(path(f, "vtysh"), strings(f.path("vtysh_args")), f.path("asn").asLong(),
                f.path("vrf").asText(""), RouterConfig.FrrMode.valueOf(text(f, "mode").toUpperCase(java.util.Locale.ROOT)),
                path(f, "config_file"), path(f, "frr_reload"), strings(f.path("frr_reload_args")));
        JsonNode e = o.path("exabgp");
        RouterConfig.Exabgp exabgp = new RouterConfig.Exabgp(
                e.path("asn").isNumber() ? OptionalLong.of(e.get("asn").asLong()) : OptionalLong.empty());
        RouterConfig router = new RouterConfig(RouterConfig.Daemon.valueOf(text(o, "daemon").toUpperCase(java.util.Locale.ROOT)),
                bird, frr, exabgp, Duration.ofSeconds(10), Duration.ofMillis(o.path("command_timeout_ms").asLong(10_000)));
        JsonNode a = o.path("addresses");
        RhidConfig.Addresses addresses = new RhidConfig.Addresses(a.path("manage").asBoolean(true), text(a, "interface"),
                a.path("remove_when_down").asBoolean(false));
        return new AppliedRecord(router, addresses, path(o, "control_socket"), strings(o.path("announced")),
                strings(f.path("network_lines")), strings(a.path("added")), Instant.parse(text(o, "written_at")));
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("missing " + field);
        }
        return n.asText();
    }

    private static Path path(JsonNode o, String field) {
        return Path.of(text(o, field));
    }
}
