package io.rhid.agent.router.exabgp;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.config.ServiceConfig;
import io.rhid.agent.plan.Announcement;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.router.AppliedRecord;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.AtomicFiles;
import io.rhid.agent.router.Drift;
import io.rhid.agent.router.RouterApplier;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converges ExaBGP when rhid is its API process: sends {@code announce route} / {@code withdraw
 * route} on the pipe, counts ExaBGP's answers, and verifies with {@code show adj-rib out
 * extensive}. Confined to the control loop's thread.
 *
 * <p>ExaBGP 4.2 keeps the routes an API process announced when that process exits or is killed,
 * and respawns it (exabgp.api.respawn, on by default). So the first apply of every rhid withdraws
 * every prefix an earlier instance may have left: all configured prefixes and those the state
 * dir's {@link AppliedRecord} says the last run announced through ExaBGP.
 */
public final class ExabgpApplier implements RouterApplier {

    private static final Logger log = LoggerFactory.getLogger(ExabgpApplier.class);

    private final Supplier<ExabgpPipe> pipeSource;
    private final OptionalLong asn;
    private final SortedSet<Prefix> configured;
    /** Where the last run's {@link AppliedRecord} is; null in a process without the pipe. */
    private final Path stateDir;
    private final Duration timeout;
    private ExabgpPipe pipe;
    /** The command ExaBGP last accepted per prefix, or null before the first apply and after an error. */
    private Map<Prefix, String> sent;
    /** Every prefix this process could have left announced: configured, recorded or ever sent. */
    private final SortedSet<Prefix> managed = new TreeSet<>();

    ExabgpApplier(Supplier<ExabgpPipe> pipeSource, OptionalLong asn, SortedSet<Prefix> configured, Path stateDir,
                  Duration timeout) {
        this.pipeSource = pipeSource;
        this.asn = asn;
        this.configured = new TreeSet<>(configured);
        this.stateDir = stateDir;
        this.timeout = timeout;
    }

    /** The applier for {@code config}, speaking on this process's stdin and stdout once it first applies. */
    public static ExabgpApplier create(RhidConfig config) {
        return new ExabgpApplier(ExabgpPipe::stdio, config.router().exabgp().asn(), configuredPrefixes(config),
                config.stateDir(), config.router().commandTimeout());
    }

    /**
     * An applier for a process that ExaBGP did not start ({@code rhid withdraw-all}): it has no
     * pipe, so all it can do is say so.
     */
    public static ExabgpApplier withoutPipe(RouterConfig router) {
        return new ExabgpApplier(null, router.exabgp().asn(), new TreeSet<>(), null, router.commandTimeout());
    }

    static SortedSet<Prefix> configuredPrefixes(RhidConfig config) {
        SortedSet<Prefix> all = new TreeSet<>();
        for (ServiceConfig s : config.services().values()) {
            all.addAll(s.prefixes());
        }
        return all;
    }

    @Override
    public String daemon() {
        return "exabgp";
    }

    @Override
    public String render(DesiredState desired) {
        return ExabgpRenderer.render(desired, configured, asn);
    }

    @Override
    public void apply(DesiredState desired) throws ApplyException {
        ExabgpPipe p = pipe();
        if (p.closedReason() != null) {
            if (desired.announcements().isEmpty()) {
                // ExaBGP stopping or gone takes its BGP sessions, and so rhid's routes, with it.
                log.info("exabgp: nothing to withdraw through the pipe: {}", p.closedReason());
                return;
            }
            throw new ApplyException(p.closedReason());
        }
        if (sent == null) {
            managed.addAll(configured);
            managed.addAll(lastRunAnnounced());
        }
        List<String> commands = new ArrayList<>();
        Map<Prefix, String> next = new HashMap<>();
        for (Prefix prefix : managed) {
            if (!desired.announcements().containsKey(prefix) && (sent == null || sent.containsKey(prefix))) {
                commands.add(ExabgpRenderer.withdraw(prefix));
            }
        }
        for (Announcement a : desired.announcements().values()) {
            String command = ExabgpRenderer.announce(a, asn);
            next.put(a.prefix(), command);
            if (sent == null || !command.equals(sent.get(a.prefix()))) {
                commands.add(command);
            }
        }
        managed.addAll(desired.announcements().keySet());
        int errors;
        try {
            errors = p.send(commands, timeout.multipliedBy(Math.max(1, commands.size() / 1000 + 1)));
        } catch (ApplyException e) {
            sent = null; // unknown what ExaBGP took: send everything next time
            throw e;
        }
        if (errors > 0) {
            sent = null;
            throw new ApplyException("ExaBGP answered error to " + errors + " of " + commands.size()
                    + " commands (is the process listed in a neighbor's api { processes [...]; }? see ExaBGP's log)");
        }
        sent = next;
        List<String> mismatch = verify(desired);
        if (!mismatch.isEmpty()) {
            sent = null;
            throw new ApplyException("ExaBGP's adj-rib-out differs from what rhid sent: " + String.join("; ", mismatch));
        }
    }

    @Override
    public List<Drift> drift(DesiredState applied) throws ApplyException {
        ExabgpPipe p = pipe();
        if (p.closedReason() != null) {
            return applied.announcements().isEmpty() ? List.of() : List.of(new Drift("routes", p.closedReason()));
        }
        List<String> mismatch = verify(applied);
        if (mismatch.isEmpty()) {
            return List.of();
        }
        sent = null; // the repair resends everything
        return List.of(new Drift("routes", String.join("; ", mismatch)));
    }

    /**
     * In the rhid ExaBGP started (the stop path's fallback), withdraws every prefix rhid manages
     * through the pipe again. Any other process ({@code rhid withdraw-all}) has no such pipe and
     * cannot withdraw anything: it says so.
     */
    @Override
    public String withdrawAll() throws ApplyException {
        if (pipeSource == null) {
            String prefixes = configured.stream().map(Prefix::toString).collect(Collectors.joining(" "));
            throw new ApplyException("router.daemon is exabgp: rhid announces only through the API pipe of the ExaBGP "
                    + "that started it, and this command is not that process, so it withdrew nothing. Stopping ExaBGP "
                    + "withdraws everything; SIGTERM to rhid withdraws until the rhid ExaBGP respawns has risen again; "
                    + "`rhid drain --all` withdraws for good; by hand: exabgpcli withdraw route PREFIX, for "
                    + (prefixes.isEmpty() ? "each prefix" : prefixes));
        }
        sent = null; // withdraw everything rhid may have announced, whatever it believes ExaBGP holds
        apply(DesiredState.EMPTY);
        return "withdrew every prefix rhid manages through ExaBGP's API pipe";
    }

    /** Differences between ExaBGP's adj-rib-out and {@code desired} among the prefixes rhid manages. */
    private List<String> verify(DesiredState desired) throws ApplyException {
        Map<Prefix, List<String>> rib = AdjRibOut.parse(pipe().query("show adj-rib out extensive", timeout));
        List<String> problems = new ArrayList<>();
        for (Announcement a : desired.announcements().values()) {
            String expected = AdjRibOut.canonical(ExabgpRenderer.announce(a, asn).substring(
                    ("announce route " + a.prefix() + " next-hop self").length()));
            List<String> copies = rib.getOrDefault(a.prefix(), List.of());
            if (copies.isEmpty()) {
                problems.add(a.prefix() + " is missing");
            } else if (copies.stream().anyMatch(c -> !c.equals(expected))) {
                problems.add(a.prefix() + " has " + copies.stream().distinct().collect(Collectors.joining(" / "))
                        + ", expected " + (expected.isEmpty() ? "no attributes" : expected));
            }
        }
        for (Prefix p : managed) {
            if (!desired.announcements().containsKey(p) && rib.containsKey(p)) {
                problems.add(p + " is still announced");
            }
        }
        return problems;
    }

    private ExabgpPipe pipe() {
        if (pipe == null) {
            pipe = pipeSource.get();
        }
        return pipe;
    }

    /**
     * The prefixes the last run announced through ExaBGP, as its {@link AppliedRecord} says, so that
     * one dropped from the config meanwhile is withdrawn too. A record that cannot be read is
     * logged, not fatal: configured prefixes are withdrawn anyway.
     */
    private SortedSet<Prefix> lastRunAnnounced() {
        SortedSet<Prefix> prefixes = new TreeSet<>();
        Optional<AppliedRecord> last;
        try {
            last = AppliedRecord.read(stateDir);
        } catch (IOException e) {
            log.warn("exabgp: cannot read {}: {}", AppliedRecord.file(stateDir), AtomicFiles.describe(e));
            return prefixes;
        }
        if (last.isPresent() && last.get().router().daemon() == RouterConfig.Daemon.EXABGP) {
            for (String announced : last.get().announced()) {
                Prefix.Parsed p = Prefix.parse(announced);
                if (p.prefix() != null) {
                    prefixes.add(p.prefix());
                }
            }
        }
        return prefixes;
    }

    /** Only the rhid ExaBGP started holds the pipe; anywhere else a failed withdrawal is final. */
    @Override
    public boolean withdrawAllRetries() {
        return pipeSource != null;
    }
}
