package io.rhid.agent.router.bird;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.AtomicFiles;
import io.rhid.agent.router.CommandResult;
import io.rhid.agent.router.CommandRunner;
import io.rhid.agent.router.Drift;
import io.rhid.agent.router.RouterApplier;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converges BIRD 2: writes the include file atomically, validates it with
 * {@code birdc configure check}, applies it with {@code birdc configure}, and verifies by asking
 * BIRD which routes rhid's static protocols hold. On a failed validation or apply it puts the last
 * good file back, so BIRD (which keeps its old config on a failed configure) and the file on disk
 * agree again. Confined to the control loop's thread.
 */
public final class BirdApplier implements RouterApplier {

    private static final Logger log = LoggerFactory.getLogger(BirdApplier.class);

    private final RouterConfig.Bird bird;
    private final BirdCommands commands;
    private String lastGood;
    /**
     * Whether this applier has yet to enable rhid's protocols, which a withdrawal that could not
     * write the include file disabled. BIRD 2.0.12's {@code configure} enables a protocol disabled
     * from the CLI again (measured here), so the file must be rewritten before any configure; the
     * explicit enable covers BIRDs that keep it disabled, and answers "already enabled" otherwise.
     */
    private boolean enableOnFirstApply = true;

    BirdApplier(RouterConfig.Bird bird, BirdCommands commands) {
        this.bird = bird;
        this.commands = commands;
    }

    /** The applier for {@code bird}: birdc when the config names it, else BIRD's socket directly. */
    public static BirdApplier create(RouterConfig.Bird bird, CommandRunner runner, Duration timeout) {
        BirdCommands commands = bird.birdc()
                .map(birdc -> BirdCommands.birdc(birdc, bird.socket(), runner, timeout))
                .orElseGet(() -> BirdCommands.socket(bird.socket(), timeout));
        return new BirdApplier(bird, commands);
    }

    @Override
    public String daemon() {
        return "bird";
    }

    @Override
    public String render(DesiredState desired) {
        return Bird2Renderer.render(desired, bird);
    }

    @Override
    public void apply(DesiredState desired) throws ApplyException {
        String text = render(desired);
        log.debug("bird: rendered {} routes, {} bytes [mono {}]", desired.announcements().size(), text.length(), System.nanoTime());
        String restore = lastGood;
        if (restore == null) {
            restore = readInclude().orElse(null);
        }
        try {
            AtomicFiles.write(bird.includeFile(), text);
        } catch (IOException e) {
            throw new ApplyException("cannot write " + bird.includeFile() + ": " + AtomicFiles.describe(e), e);
        }
        log.debug("bird: written; configure check starts [mono {}]", System.nanoTime());
        CommandResult check = birdc("configure", "check");
        if (!check.ok() || !check.output().contains("Configuration OK")) {
            restore(restore);
            throw new ApplyException("BIRD: configure check failed" + check.exitSuffix() + ": " + check.summary());
        }
        log.debug("bird: configure starts [mono {}]", System.nanoTime());
        CommandResult configure = birdc("configure");
        if (!configure.ok() || !reconfigured(configure.output())) {
            restore(restore);
            throw new ApplyException("BIRD: configure failed" + configure.exitSuffix() + ": " + configure.summary());
        }
        lastGood = text;
        if (enableOnFirstApply) {
            // After the file is rewritten and configured, never before: enabling first would
            // announce the stale routes still in BIRD's running config until the configure.
            enableProtocols();
            enableOnFirstApply = false;
        }
        log.debug("bird: configured; verifying [mono {}]", System.nanoTime());
        List<String> mismatch = verify(desired);
        if (!mismatch.isEmpty()) {
            // A protocol disabled by hand after the configure keeps its routes out of BIRD.
            enableProtocols();
            mismatch = verify(desired);
            if (!mismatch.isEmpty()) {
                throw new ApplyException("BIRD does not hold the routes rhid wrote: " + String.join("; ", mismatch));
            }
        }
    }

    /**
     * Withdraws every route of rhid's protocols and confirms it with BIRD. Writes the empty include
     * file first and reconfigures, so a reconfigure that BIRD only gets to later (it was stopped)
     * still withdraws. When the file cannot be written (disk full, read-only) or BIRD refuses the
     * configuration (the operator's bird.conf is broken), disables rhid's protocols instead, which
     * withdraws their routes without a reconfigure; the next {@link #apply} of a new applier
     * enables them again after writing the file. Any configure before that (by an operator)
     * enables them with the stale file, so the fallback holds only until then.
     *
     * @throws ApplyException when BIRD did not confirm the withdrawal (hung, or still holding routes)
     */
    @Override
    public String withdrawAll() throws ApplyException {
        String notWritten = null;
        try {
            AtomicFiles.write(bird.includeFile(), render(DesiredState.EMPTY));
            lastGood = render(DesiredState.EMPTY);
        } catch (IOException e) {
            notWritten = "cannot write " + bird.includeFile() + ": " + AtomicFiles.describe(e);
        }
        String refused;
        if (notWritten == null) {
            CommandResult configure = birdc("configure");
            if (configure.ok() && reconfigured(configure.output())) {
                requireWithdrawn("reconfigured");
                return "wrote an empty " + bird.includeFile() + " and reconfigured BIRD; it holds no route of "
                        + bird.protocolV4() + " or " + bird.protocolV6();
            }
            if (notRunning(configure)) {
                return "wrote an empty " + bird.includeFile() + "; BIRD is not running, so it announces nothing from rhid when it starts";
            }
            if (configure.timedOut()) {
                throw new ApplyException("wrote an empty " + bird.includeFile() + ", but BIRD did not answer configure in time: "
                        + configure.summary() + " (BIRD hung?)");
            }
            refused = "BIRD refused to reconfigure (" + configure.summary() + ")";
        } else {
            refused = notWritten;
        }
        List<String> failed = new ArrayList<>();
        for (String protocol : List.of(bird.protocolV4(), bird.protocolV6())) {
            CommandResult r = birdc("disable", protocol);
            if (notRunning(r) && notWritten != null) {
                throw new ApplyException(notWritten + ", and BIRD is not running: it would announce the routes still in "
                        + bird.includeFile() + " when it starts");
            }
            if (!r.ok() || !(r.output().contains("disabled") || r.output().contains("already disabled"))) {
                failed.add(protocol + ": " + r.summary());
            }
        }
        if (!failed.isEmpty()) {
            throw new ApplyException(refused + ", and disabling rhid's protocols failed too: " + String.join("; ", failed));
        }
        requireWithdrawn("disabled");
        return (notWritten == null ? "wrote an empty " + bird.includeFile() + "; " : "") + refused + ", so rhid's protocols "
                + bird.protocolV4() + " and " + bird.protocolV6() + " were disabled instead; BIRD holds no route of them";
    }

    /** Asks BIRD what rhid's protocols still hold; throws unless that is nothing. */
    private void requireWithdrawn(String after) throws ApplyException {
        List<String> left = verify(DesiredState.EMPTY);
        if (!left.isEmpty()) {
            throw new ApplyException("BIRD still holds rhid's routes after it " + after + ": " + String.join("; ", left));
        }
    }

    private static boolean notRunning(CommandResult r) {
        return r.output().contains("Unable to connect");
    }

    @Override
    public List<Drift> drift(DesiredState applied) throws ApplyException {
        List<Drift> drift = new ArrayList<>();
        Optional<String> onDisk = readInclude();
        if (onDisk.isEmpty()) {
            drift.add(new Drift("file", bird.includeFile() + " is missing"));
        } else if (!onDisk.get().equals(render(applied))) {
            drift.add(new Drift("file", bird.includeFile() + " was changed outside rhid"));
        }
        List<String> mismatch = verify(applied);
        if (!mismatch.isEmpty()) {
            drift.add(new Drift("routes", String.join("; ", mismatch)));
        }
        return drift;
    }

    /** Differences between the routes BIRD's rhid protocols hold and {@code desired}; empty if none. */
    private List<String> verify(DesiredState desired) throws ApplyException {
        List<String> problems = new ArrayList<>();
        compare(bird.protocolV4(), false, desired, problems);
        compare(bird.protocolV6(), true, desired, problems);
        return problems;
    }

    private void compare(String protocol, boolean v6, DesiredState desired, List<String> problems) throws ApplyException {
        SortedSet<Prefix> expected = new TreeSet<>();
        for (Prefix p : desired.announcements().keySet()) {
            if (p.v6() == v6) {
                expected.add(p);
            }
        }
        SortedSet<Prefix> held = routes(protocol);
        if (held.equals(expected)) {
            return;
        }
        SortedSet<Prefix> missing = new TreeSet<>(expected);
        missing.removeAll(held);
        SortedSet<Prefix> extra = new TreeSet<>(held);
        extra.removeAll(expected);
        StringBuilder s = new StringBuilder(protocol).append(" holds ").append(held.size()).append(" routes, expected ")
                .append(expected.size());
        if (!missing.isEmpty()) {
            s.append(", missing ").append(sample(missing));
        }
        if (!extra.isEmpty()) {
            s.append(", unexpected ").append(sample(extra));
        }
        problems.add(s.toString());
    }

    /** The prefixes BIRD's {@code protocol} holds, from {@code show route protocol NAME}. */
    SortedSet<Prefix> routes(String protocol) throws ApplyException {
        CommandResult r = birdc("show", "route", "protocol", protocol);
        if (!r.ok()) {
            throw new ApplyException("BIRD: show route protocol " + protocol + " failed" + r.exitSuffix() + ": " + r.summary());
        }
        return BirdReplies.routes(r.output());
    }

    private void enableProtocols() {
        for (String protocol : List.of(bird.protocolV4(), bird.protocolV6())) {
            CommandResult r = birdc("enable", protocol);
            if (r.output().contains("already enabled")) {
                log.debug("bird: enable {}: {}", protocol, r.summary());
            } else {
                log.info("bird: enable {}: {}", protocol, r.summary());
            }
        }
    }

    private void restore(String previous) {
        if (previous == null) {
            return;
        }
        try {
            AtomicFiles.write(bird.includeFile(), previous);
        } catch (IOException e) {
            log.error("bird: cannot restore the last good {}: {}", bird.includeFile(), AtomicFiles.describe(e));
        }
    }

    private Optional<String> readInclude() throws ApplyException {
        try {
            return AtomicFiles.read(bird.includeFile());
        } catch (IOException e) {
            throw new ApplyException("cannot read " + bird.includeFile() + ": " + AtomicFiles.describe(e), e);
        }
    }

    private CommandResult birdc(String... command) {
        return commands.run(List.of(command));
    }

    /** BIRD 2 replies "Reconfigured"; BIRD 3 "Reconfiguration in progress"; both queue while busy. */
    static boolean reconfigured(String output) {
        return output.contains("Reconfigured") || output.contains("Reconfiguration in progress")
                || output.contains("queueing new config");
    }


    private static String sample(SortedSet<Prefix> prefixes) {
        String listed = prefixes.stream().limit(5).map(Prefix::toString).collect(Collectors.joining(", "));
        return prefixes.size() > 5 ? listed + " and " + (prefixes.size() - 5) + " more" : listed;
    }
}
