package io.rhid.agent.address;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.AtomicFiles;
import io.rhid.agent.router.CommandResult;
import io.rhid.agent.router.CommandRunner;
import io.rhid.agent.router.Drift;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps the service addresses on the anycast interface with {@code ip}. Confined to the control
 * loop's thread.
 *
 * <p>It removes only addresses it added. Ownership is recorded in {@code STATE_DIR/addresses}
 * before an address is added, so it survives a crash of rhid: an address that was already on the
 * interface when rhid wanted it is never recorded, and so never removed.
 *
 * <p>It remembers which addresses it last saw on the interface, so an apply that needs no new
 * address (every withdrawal, most announcements) runs no {@code ip} command at all; the
 * reconcile loop's {@link #drift} reads the interface again and catches addresses removed by hand.
 */
public final class LoopbackApplier {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

    private final RhidConfig.Addresses config;
    private final Path ownedFile;
    private final CommandRunner runner;
    private final Duration timeout;
    private SortedSet<String> owned;
    /** Addresses seen on the interface by the last read, plus those added since; null before. */
    private Set<String> known;

    public LoopbackApplier(RhidConfig.Addresses config, Path stateDir, CommandRunner runner, Duration timeout) {
        this.config = config;
        this.ownedFile = stateDir.resolve("addresses");
        this.runner = runner;
        this.timeout = timeout;
    }

    public boolean enabled() {
        return config.manage();
    }

    /**
     * Adds the addresses in {@code wanted} that the interface lacks.
     *
     * @return the prefixes whose address could not be added (their routes must not be announced)
     */
    public Set<Prefix> add(Collection<Prefix> wanted) throws ApplyException {
        return add(wanted, Set.of());
    }

    /**
     * Adds the addresses in {@code wanted} that the interface lacks, reading the interface again
     * when {@code announcing} (prefixes about to be announced) is not empty: their addresses must
     * really be there, not only in what was last seen (an operator may have removed one since).
     *
     * @return the prefixes whose address could not be added (their routes must not be announced)
     */
    public Set<Prefix> add(Collection<Prefix> wanted, Collection<Prefix> announcing) throws ApplyException {
        if (!config.manage() || wanted.isEmpty()) {
            return Set.of();
        }
        boolean mustRead = announcing.stream().anyMatch(wanted::contains);
        if (!mustRead && known != null && wanted.stream().allMatch(p -> known.contains(p.toString()))) {
            return Set.of();
        }
        Set<String> present = present();
        List<Prefix> toAdd = new ArrayList<>();
        SortedSet<String> owners = owned();
        SortedSet<String> newOwned = new TreeSet<>(owners);
        for (Prefix p : wanted) {
            String a = p.toString();
            if (!present.contains(a)) {
                toAdd.add(p);
                newOwned.add(a);
            }
        }
        if (toAdd.isEmpty()) {
            return Set.of();
        }
        // Record ownership before adding, so a crash between the two never leaves an address
        // that rhid added but does not know it owns.
        saveOwned(newOwned);
        List<String> lines = new ArrayList<>();
        for (Prefix p : toAdd) {
            lines.add("address add " + p + " dev " + config.interfaceName() + (p.v6() ? " nodad" : ""));
        }
        List<Integer> failed = batch(lines);
        Set<Prefix> notAdded = new TreeSet<>();
        for (int line : failed) {
            notAdded.add(toAdd.get(line - 1));
        }
        for (Prefix p : toAdd) {
            if (!notAdded.contains(p)) {
                known.add(p.toString());
            }
        }
        return notAdded;
    }

    /** Removes every address rhid owns that is not in {@code keep}. */
    public void retainOnly(Collection<Prefix> keep) throws ApplyException {
        if (!config.manage()) {
            return;
        }
        Set<String> keepText = new TreeSet<>();
        keep.forEach(p -> keepText.add(p.toString()));
        SortedSet<String> owners = owned();
        List<String> toRemove = new ArrayList<>();
        for (String a : owners) {
            if (!keepText.contains(a)) {
                toRemove.add(a);
            }
        }
        if (toRemove.isEmpty()) {
            return;
        }
        Set<String> present = present();
        List<String> lines = new ArrayList<>();
        List<String> removing = new ArrayList<>();
        for (String a : toRemove) {
            if (present.contains(a)) {
                lines.add("address del " + a + " dev " + config.interfaceName());
                removing.add(a);
            }
        }
        List<Integer> failed = lines.isEmpty() ? List.of() : batch(lines);
        SortedSet<String> stillOwned = new TreeSet<>(owners);
        toRemove.forEach(stillOwned::remove);
        for (int line : failed) {
            stillOwned.add(removing.get(line - 1));
        }
        known.removeAll(removing);
        for (int line : failed) {
            known.add(removing.get(line - 1));
        }
        saveOwned(stillOwned);
        if (!failed.isEmpty()) {
            throw new ApplyException("could not remove " + failed.size() + " address(es) from " + config.interfaceName());
        }
    }

    /** The addresses rhid added and may remove, as recorded in the state dir. */
    public SortedSet<String> ownedAddresses() throws ApplyException {
        return config.manage() ? new TreeSet<>(owned()) : new TreeSet<>();
    }

    /** Addresses in {@code wanted} that are missing from the interface. */
    public List<Drift> drift(Collection<Prefix> wanted) throws ApplyException {
        if (!config.manage() || wanted.isEmpty()) {
            return List.of();
        }
        Set<String> present = present();
        List<String> missing = new ArrayList<>();
        for (Prefix p : wanted) {
            if (!present.contains(p.toString())) {
                missing.add(p.toString());
            }
        }
        return missing.isEmpty() ? List.of()
                : List.of(new Drift("address", "missing from " + config.interfaceName() + ": " + String.join(", ", missing)));
    }

    /** The addresses on the interface, as {@code address/length} in canonical text. */
    Set<String> present() throws ApplyException {
        CommandResult r = runner.run(List.of("ip", "-j", "address", "show", "dev", config.interfaceName()), timeout);
        if (!r.ok()) {
            throw new ApplyException("ip address show dev " + config.interfaceName() + " failed: " + r.summary());
        }
        Set<String> out = new TreeSet<>();
        try {
            for (JsonNode link : JSON.readTree(r.output())) {
                for (JsonNode a : link.path("addr_info")) {
                    Prefix.Parsed host = Prefix.parse(a.path("local").asText(""));
                    if (host.prefix() != null) {
                        out.add(host.prefix().address() + "/" + a.path("prefixlen").asInt());
                    }
                }
            }
        } catch (IOException e) {
            throw new ApplyException("cannot parse the output of ip -j address show: " + e.getMessage(), e);
        }
        known = new java.util.HashSet<>(out);
        return out;
    }

    /** Runs {@code ip -batch} on {@code lines}, continuing past errors; returns the failed line numbers. */
    private List<Integer> batch(List<String> lines) throws ApplyException {
        CommandResult r = runner.run(List.of("ip", "-force", "-batch", "-"), String.join("\n", lines) + "\n", timeout);
        if (r.ok()) {
            return List.of();
        }
        List<Integer> failed = new ArrayList<>();
        Matcher m = FAILED_LINE.matcher(r.output());
        while (m.find()) {
            int line = Integer.parseInt(m.group(1));
            if (line >= 1 && line <= lines.size()) {
                failed.add(line);
            }
        }
        if (failed.isEmpty()) {
            throw new ApplyException("ip -batch failed: " + r.summary());
        }
        return failed;
    }

    private SortedSet<String> owned() throws ApplyException {
        if (owned == null) {
            try {
                owned = new TreeSet<>();
                if (Files.exists(ownedFile)) {
                    for (String line : Files.readAllLines(ownedFile)) {
                        if (!line.isBlank() && !line.startsWith("#")) {
                            owned.add(line.strip());
                        }
                    }
                }
            } catch (IOException e) {
                owned = null;
                throw new ApplyException("cannot read " + ownedFile + ": " + AtomicFiles.describe(e), e);
            }
        }
        return owned;
    }

    private void saveOwned(SortedSet<String> addresses) throws ApplyException {
        StringBuilder s = new StringBuilder("# Addresses rhid added to ").append(config.interfaceName())
                .append(" and may remove. Written by rhid.\n");
        addresses.forEach(a -> s.append(a).append('\n'));
        try {
            Files.createDirectories(ownedFile.getParent());
            AtomicFiles.write(ownedFile, s.toString());
        } catch (IOException e) {
            throw new ApplyException("cannot write " + ownedFile + ": " + AtomicFiles.describe(e), e);
        }
        owned = new TreeSet<>(addresses);
    }
}
