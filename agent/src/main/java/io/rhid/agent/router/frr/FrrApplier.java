package io.rhid.agent.router.frr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.plan.Announcement;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.AtomicFiles;
import io.rhid.agent.router.CommandResult;
import io.rhid.agent.router.CommandRunner;
import io.rhid.agent.router.Drift;
import io.rhid.agent.router.RouterApplier;
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
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converges FRR's bgpd to a desired state. rhid owns only its {@code network P route-map rhid-...}
 * lines and the {@code rhid-*} route-maps (see {@link FrrRenderer}); it reads bgpd's running
 * config ({@code vtysh -d bgpd -c 'show running-config'}) before every change rather than trusting
 * its memory, so a restarted bgpd or an edit by hand is simply more delta. Confined to the control
 * loop's thread.
 *
 * <p>{@code mode: vtysh} sends the delta as one batch to bgpd on vtysh's standard input
 * ({@code vtysh -d bgpd -f /dev/stdin}, no temp file): route-maps first, then {@code network}
 * removals and additions, then route-map deletions. Only bgpd gets rhid's route-maps (without
 * {@code -d} vtysh would copy them into zebra too, where a restarted bgpd's repair never looks). vtysh runs every line even after a failing one and exits
 * non-zero, so the applier always verifies by reading the running config again. After an
 * in-place route-map edit the {@code network} lines using it are re-issued: bgpd otherwise applies
 * route-map edits only when its route-map delay timer fires (5 s by default).
 *
 * <p>{@code mode: reload} keeps rhid's lines in a block between {@code ! rhid begin} and
 * {@code ! rhid end} in {@code config_file} (appended at the end of the file when missing) and lets
 * frr-reload.py apply the whole file: {@code --test} validates, {@code --reload} applies; on
 * failure the previous file is put back. The block holds complete top-level sections (the
 * route-maps, and a second {@code router bgp ASN} section with only the address families and
 * {@code network} lines): frr-reload.py and FRR's own config reader merge repeated sections of the
 * same instance, so the operator's {@code router bgp} section stays byte for byte as written.
 * {@code config_file} must be exactly {@code CONFDIR/frr.conf} (frr-reload.py's {@code --confdir},
 * default /etc/frr), or frr-reload.py ends with {@code write}, rewriting frr.conf from the running
 * config and dropping the block's markers.
 *
 * <p>After applying, in both modes, it checks that bgpd's running config holds exactly the desired
 * lines and that every newly announced prefix is locally originated and valid in bgpd's BGP table
 * ({@code show bgp ... PREFIX json}): with {@code bgp network import-check} (FRR's default) a
 * {@code network} is announced only while the prefix is in zebra's RIB.
 *
 * <p>Before anything it checks what would otherwise go wrong silently: vtysh exits 0 when bgpd is
 * down and a batch's {@code router bgp ASN} line would create a new BGP instance, so rhid requires
 * bgpd to answer and {@code router bgp ASN [vrf V]} to exist.
 */
public final class FrrApplier implements RouterApplier {

    private static final Logger log = LoggerFactory.getLogger(FrrApplier.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Pauses before re-asking bgpd about a prefix it does not originate yet (import check is asynchronous). */
    private static final long[] ORIGINATION_RETRIES_MS = {20, 40, 80, 160, 300};
    /** show commands per vtysh process when checking origination. */
    private static final int SHOW_CHUNK = 1000;
    /** frr-reload.py runs one vtysh per removed line (~30 ms measured); allow this much per line. */
    private static final Duration RELOAD_TIME_PER_LINE = Duration.ofMillis(100);
    private static final String DEFAULT_VTY_DIR = "/var/run/frr";
    private static final String DEFAULT_CONFDIR = "/etc/frr";

    private final RouterConfig.Frr frr;
    private final BgpInstance instance;
    private final CommandRunner runner;
    private final Duration timeout;
    private final LongConsumer pause;
    /** Announced prefixes bgpd did not originate at the last check; checked again on every apply. */
    private final SortedSet<Prefix> unconfirmed = new TreeSet<>();

    public FrrApplier(RouterConfig.Frr frr, CommandRunner runner, Duration timeout) {
        this(frr, runner, timeout, FrrApplier::sleep);
    }

    FrrApplier(RouterConfig.Frr frr, CommandRunner runner, Duration timeout, LongConsumer pause) {
        this.frr = frr;
        this.instance = FrrRenderer.instance(frr);
        this.runner = runner;
        this.timeout = timeout;
        this.pause = pause;
    }

    @Override
    public String daemon() {
        return "frr";
    }

    @Override
    public String render(DesiredState desired) {
        if (frr.mode() == RouterConfig.FrrMode.RELOAD) {
            return FrrRenderer.block(desired, frr);
        }
        return FrrRenderer.batch(FrrRenderer.initialDelta(desired, instance));
    }

    @Override
    public void apply(DesiredState desired) throws ApplyException {
        FrrRunningConfig running = requireRunning();
        requireInstance(running);
        if (frr.mode() == RouterConfig.FrrMode.RELOAD) {
            applyReload(desired, running);
        } else {
            applyVtysh(desired, running);
        }
    }

    // ---- mode: vtysh ---------------------------------------------------------------------------

    private void applyVtysh(DesiredState desired, FrrRunningConfig running) throws ApplyException {
        FrrDelta delta = running.delta(desired, instance);
        if (delta.isEmpty()) {
            confirmOrigination(announced(desired, delta.conflicts()));
        } else {
            CommandResult batch = batch(delta);
            FrrRunningConfig after = requireRunning();
            FrrDelta left = after.delta(desired, instance);
            if (!left.isEmpty()) {
                throw new ApplyException("bgpd does not hold rhid's lines after the vtysh batch (" + delta.summary() + "): "
                        + after.differences(left) + batchErrors(batch));
            }
            if (!batch.ok()) {
                log.warn("frr: vtysh reported errors, but bgpd holds the desired lines:{}", batchErrors(batch));
            }
            confirmOrigination(toConfirm(delta.announce().keySet(), desired));
        }
        requireNoConflicts(delta);
    }

    /** Runs {@code delta} as one vtysh batch on standard input. */
    private CommandResult batch(FrrDelta delta) throws ApplyException {
        String text = FrrRenderer.batch(delta);
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

    // ---- mode: reload --------------------------------------------------------------------------

    private void applyReload(DesiredState desired, FrrRunningConfig running) throws ApplyException {
        requireConfigFileInConfdir();
        String current = readConfigFile().orElseThrow(() -> new ApplyException(frr.configFile()
                + " does not exist: router.frr.mode reload keeps rhid's lines in a block of the operator's frr.conf "
                + "(router.frr.config_file)"));
        requireNoStrayLines(current);
        SortedSet<Prefix> conflicts = running.conflicts(desired, instance);
        DesiredState effective = without(desired, conflicts);
        String next = spliceBlock(current, FrrRenderer.block(effective, frr));
        FrrDelta delta = running.delta(effective, instance);
        if (next.equals(current) && delta.isEmpty()) {
            confirmOrigination(announced(effective, conflicts));
            requireNoConflicts(conflicts);
            return;
        }
        if (!next.equals(current)) {
            write(next);
        }
        CommandResult test = frrReload("--test", timeout);
        if (!test.ok()) {
            restore(current);
            throw new ApplyException("frr-reload.py --test rejects " + frr.configFile() + test.exitSuffix() + ": " + test.summary());
        }
        warnAboutOtherChanges(test.output());
        CommandResult reload = frrReload("--reload", reloadTimeout(delta));
        if (!reload.ok()) {
            restore(current);
            throw new ApplyException("frr-reload.py --reload " + frr.configFile() + " failed" + reload.exitSuffix() + ": "
                    + reload.summary());
        }
        log.info("frr: frr-reload.py --reload, {}: {} ms", delta.summary(),
                String.format(Locale.ROOT, "%.1f", reload.durationNanos() / 1e6));
        FrrRunningConfig after = requireRunning();
        FrrDelta left = after.delta(effective, instance);
        if (!left.isEmpty()) {
            throw new ApplyException("bgpd does not hold rhid's lines after frr-reload.py --reload: " + after.differences(left));
        }
        confirmOrigination(toConfirm(delta.announce().keySet(), effective));
        requireNoConflicts(conflicts);
    }

    private CommandResult frrReload(String action, Duration limit) throws ApplyException {
        List<String> argv = new ArrayList<>(List.of(frr.frrReload().toString(), action));
        if (action.equals("--reload") && !frr.frrReloadArgs().contains("--stdout")) {
            // Its log comes back to rhid instead of going to /var/log/frr/frr-reload.log.
            argv.add("--stdout");
        }
        argv.addAll(frr.frrReloadArgs());
        argv.add(frr.configFile().toString());
        CommandResult r = runner.run(argv, null, limit);
        requireStarted(r, "frr-reload.py", "router.frr.frr_reload", frr.frrReload());
        return r;
    }

    private Duration reloadTimeout(FrrDelta delta) {
        long lines = delta.withdrawCount() + delta.deleteRouteMaps().size()
                + delta.routeMaps().values().stream().mapToLong(e -> e.lines().size() + e.deleteEntries().size()).sum();
        return timeout.plus(RELOAD_TIME_PER_LINE.multipliedBy(lines));
    }

    /**
     * frr-reload.py applies the whole file: if the operator changed the running config by hand, the
     * reload reverts that too. Says so when {@code --test} lists changes outside rhid's lines.
     */
    private static void warnAboutOtherChanges(String testOutput) {
        List<String> other = new ArrayList<>();
        boolean inRhidMap = false;
        boolean listing = false;
        for (String raw : testOutput.split("\n")) {
            String line = raw.stripTrailing();
            if (line.equals("Lines To Delete") || line.equals("Lines To Add")) {
                listing = true;
                continue;
            }
            if (!listing || line.isBlank() || line.startsWith("===") || line.matches("^\\d{4}-\\d\\d-\\d\\d .*")) {
                continue;
            }
            String t = line.strip();
            boolean indented = Character.isWhitespace(line.charAt(0));
            if (!indented) {
                inRhidMap = t.matches("(no )?route-map " + FrrRenderer.ROUTE_MAP_PREFIX + ".*");
            }
            boolean rhid = t.contains(" route-map " + FrrRenderer.ROUTE_MAP_PREFIX) || inRhidMap
                    || t.startsWith("router bgp ") || t.startsWith("address-family ") || t.equals("exit-address-family")
                    || t.equals("exit") || t.equals("service integrated-vtysh-config");
            if (!rhid) {
                other.add(t);
            }
        }
        if (!other.isEmpty()) {
            log.warn("frr: frr-reload.py also changes lines outside rhid's block (running config edited by hand?): {}",
                    FrrRunningConfig.sample(other));
        }
    }

    private void requireConfigFileInConfdir() throws ApplyException {
        String confdir = option(frr.frrReloadArgs(), "--confdir").orElse(DEFAULT_CONFDIR);
        String expected = confdir + "/frr.conf";
        if (!frr.configFile().toString().equals(expected)) {
            throw new ApplyException("router.frr.config_file is " + frr.configFile() + " but frr-reload.py's confdir is "
                    + confdir + (option(frr.frrReloadArgs(), "--confdir").isPresent() ? " (--confdir in router.frr.frr_reload_args)"
                    : " (its default; set --confdir in router.frr.frr_reload_args)")
                    + ": for any file other than exactly " + expected + " frr-reload.py ends with `write`, which overwrites "
                    + expected + " with the running config");
        }
    }

    private void requireNoStrayLines(String text) throws ApplyException {
        List<String> stray = FrrConfigFile.strayLines(text);
        if (!stray.isEmpty()) {
            throw new ApplyException(frr.configFile() + " has rhid lines outside its block (" + FrrRenderer.BEGIN + " ... "
                    + FrrRenderer.END + "), e.g. from a `write memory`; frr-reload.py would keep them configured: "
                    + FrrRunningConfig.sample(stray) + "; remove them from the file");
        }
    }

    private String spliceBlock(String text, String block) throws ApplyException {
        try {
            return FrrConfigFile.withBlock(text, block);
        } catch (IllegalArgumentException e) {
            throw new ApplyException(frr.configFile() + " " + e.getMessage());
        }
    }

    private Optional<String> readConfigFile() throws ApplyException {
        try {
            return AtomicFiles.read(frr.configFile());
        } catch (IOException e) {
            throw new ApplyException("cannot read " + frr.configFile() + ": " + AtomicFiles.describe(e), e);
        }
    }

    private void write(String text) throws ApplyException {
        try {
            AtomicFiles.write(frr.configFile(), text);
        } catch (IOException e) {
            throw new ApplyException("cannot write " + frr.configFile() + ": " + AtomicFiles.describe(e), e);
        }
    }

    private void restore(String previous) {
        try {
            AtomicFiles.write(frr.configFile(), previous);
        } catch (IOException e) {
            log.error("frr: cannot restore the previous {}: {}", frr.configFile(), AtomicFiles.describe(e));
        }
    }

    // ---- withdraw-all and drift ----------------------------------------------------------------

    /**
     * Removes every rhid line from bgpd (every instance) or, in reload mode, empties the block and
     * reloads. Needs no desired state and no {@code router bgp} of the configured ASN.
     */
    @Override
    public String withdrawAll() throws ApplyException {
        String fileNote = "";
        boolean overVtysh = frr.mode() == RouterConfig.FrrMode.VTYSH;
        if (frr.mode() == RouterConfig.FrrMode.RELOAD) {
            requireConfigFileInConfdir();
            Optional<String> current = readConfigFile();
            if (current.isEmpty()) {
                fileNote = frr.configFile() + " does not exist; ";
            } else if (!hasBlock(current.get())) {
                fileNote = frr.configFile() + " has no rhid block; ";
            } else {
                String next = spliceBlock(current.get(), FrrRenderer.block(DesiredState.EMPTY, frr));
                if (!next.equals(current.get())) {
                    try {
                        write(next);
                        fileNote = "emptied rhid's block in " + frr.configFile() + "; ";
                    } catch (ApplyException e) {
                        // Disk full or read-only: bgpd is still reachable, and `no network` lines
                        // over vtysh withdraw at once (frr.conf keeps the lines for bgpd's next start).
                        overVtysh = true;
                        fileNote = e.getMessage() + ", so rhid's lines were removed over vtysh instead; ";
                    }
                } else {
                    fileNote = "rhid's block in " + frr.configFile() + " is empty; ";
                }
            }
        }
        Running state = readRunning();
        if (state.config() == null) {
            return fileNote + state.down() + ", so nothing is announced"
                    + (frr.mode() == RouterConfig.FrrMode.RELOAD ? " and it will start without rhid's lines"
                    : " (rhid's lines went with bgpd's running config)");
        }
        FrrRunningConfig running = state.config();
        FrrDelta delta = running.delta(DesiredState.EMPTY, instance);
        if (delta.isEmpty()) {
            return fileNote + "bgpd holds no network lines or route-maps of rhid's; nothing to withdraw";
        }
        if (!overVtysh) {
            CommandResult reload = frrReload("--reload", reloadTimeout(delta));
            if (!reload.ok()) {
                throw new ApplyException(fileNote + "but frr-reload.py --reload failed" + reload.exitSuffix() + ": " + reload.summary());
            }
        } else {
            batch(delta);
        }
        FrrRunningConfig after = requireRunning();
        if (after.hasRhidLines()) {
            throw new ApplyException(fileNote + "bgpd still holds rhid lines after the withdrawal: "
                    + after.differences(after.delta(DesiredState.EMPTY, instance))
                    + (frr.mode() == RouterConfig.FrrMode.RELOAD ? "; " + strayNote() : ""));
        }
        return fileNote + "withdrew " + delta.withdrawCount() + " prefix" + (delta.withdrawCount() == 1 ? "" : "es")
                + " from bgpd (removed " + delta.withdrawCount() + " network line" + (delta.withdrawCount() == 1 ? "" : "s")
                + " and " + delta.deleteRouteMaps().size() + " route-map" + (delta.deleteRouteMaps().size() == 1 ? "" : "s") + ")";
    }

    private boolean hasBlock(String text) throws ApplyException {
        try {
            return FrrConfigFile.markers(text).present();
        } catch (IllegalArgumentException e) {
            throw new ApplyException(frr.configFile() + " " + e.getMessage());
        }
    }

    private String strayNote() {
        try {
            return readConfigFile().map(FrrConfigFile::strayLines).filter(l -> !l.isEmpty())
                    .map(l -> frr.configFile() + " has rhid lines outside its block: " + FrrRunningConfig.sample(l))
                    .orElse("frr-reload.py did not remove them");
        } catch (ApplyException e) {
            return e.getMessage();
        }
    }

    @Override
    public List<Drift> drift(DesiredState applied) throws ApplyException {
        FrrRunningConfig running = requireRunning();
        requireInstance(running);
        List<Drift> drift = new ArrayList<>();
        if (frr.mode() == RouterConfig.FrrMode.RELOAD) {
            Optional<String> text = readConfigFile();
            if (text.isEmpty()) {
                drift.add(new Drift("file", frr.configFile() + " is missing"));
            } else {
                Optional<String> block;
                try {
                    block = FrrConfigFile.block(text.get());
                } catch (IllegalArgumentException e) {
                    throw new ApplyException(frr.configFile() + " " + e.getMessage());
                }
                if (block.isEmpty()) {
                    drift.add(new Drift("file", frr.configFile() + " has no rhid block"));
                } else if (!block.get().equals(FrrRenderer.block(applied, frr))) {
                    drift.add(new Drift("file", "rhid's block in " + frr.configFile() + " was changed outside rhid"));
                }
                List<String> stray = FrrConfigFile.strayLines(text.get());
                if (!stray.isEmpty()) {
                    drift.add(new Drift("file", frr.configFile() + " has rhid lines outside its block: "
                            + FrrRunningConfig.sample(stray)));
                }
            }
        }
        FrrDelta delta = running.delta(applied, instance);
        if (!delta.isEmpty()) {
            drift.add(new Drift("routes", "bgpd's running config differs from what rhid applied: " + running.differences(delta)));
        }
        return drift;
    }

    // ---- reading bgpd --------------------------------------------------------------------------

    /** bgpd's running config, or why bgpd is not running (then {@code config} is null). */
    private record Running(FrrRunningConfig config, String down) {
    }

    /** bgpd's running config; fails unless bgpd answers. */
    private FrrRunningConfig requireRunning() throws ApplyException {
        Running r = readRunning();
        if (r.config() == null) {
            throw new ApplyException(r.down());
        }
        return r.config();
    }

    private Running readRunning() throws ApplyException {
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

    private void requireInstance(FrrRunningConfig running) throws ApplyException {
        if (running.instances().contains(instance)) {
            return;
        }
        List<String> found = new ArrayList<>();
        running.instances().forEach(i -> found.add(i.header()));
        found.addAll(running.otherInstances());
        StringBuilder m = new StringBuilder("bgpd has no `").append(instance.header()).append("` (router.frr.asn")
                .append(frr.vrf().isEmpty() ? "" : " and router.frr.vrf").append("); ")
                .append(found.isEmpty() ? "it has no BGP instance" : "it has " + String.join(", ", found));
        if (!frr.vrf().isEmpty()) {
            m.append("; ").append(vrfState());
        }
        m.append(". rhid announces only from an existing instance and never creates one");
        throw new ApplyException(m.toString());
    }

    private String vrfState() {
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

    // ---- origination -----------------------------------------------------------------------------

    private SortedSet<Prefix> toConfirm(Set<Prefix> changed, DesiredState desired) {
        SortedSet<Prefix> out = new TreeSet<>(changed);
        unconfirmed.retainAll(desired.announcements().keySet());
        out.addAll(unconfirmed);
        return out;
    }

    private static SortedSet<Prefix> announced(DesiredState desired, Set<Prefix> conflicts) {
        SortedSet<Prefix> out = new TreeSet<>(desired.announcements().keySet());
        out.removeAll(conflicts);
        return out;
    }

    /**
     * Checks that bgpd originates each of {@code prefixes} with a valid route, asking again a few
     * times over ~0.6 s for those that are not yet: bgpd resolves a new {@code network}'s import
     * check through zebra asynchronously.
     */
    private void confirmOrigination(SortedSet<Prefix> prefixes) throws ApplyException {
        if (prefixes.isEmpty()) {
            return;
        }
        SortedSet<Prefix> pending = new TreeSet<>(prefixes);
        SortedMap<Prefix, String> problems = new TreeMap<>();
        for (int attempt = 0; ; attempt++) {
            problems = origination(pending);
            if (problems.isEmpty() || attempt == ORIGINATION_RETRIES_MS.length) {
                break;
            }
            pending = new TreeSet<>(problems.keySet());
            pause.accept(ORIGINATION_RETRIES_MS[attempt]);
        }
        unconfirmed.removeAll(prefixes);
        if (problems.isEmpty()) {
            return;
        }
        unconfirmed.addAll(problems.keySet());
        List<String> details = new ArrayList<>();
        problems.forEach((p, why) -> details.add(p + ": " + why));
        boolean invalid = problems.values().stream().anyMatch(v -> v.startsWith("not valid"));
        throw new ApplyException("bgpd does not announce " + problems.size() + " of rhid's prefixes although their network "
                + "lines are configured: " + FrrRunningConfig.sample(details)
                + (invalid ? ". With `bgp network import-check` (FRR's default) a network is announced only while the prefix "
                + "itself is in zebra's RIB: the service address on the loopback does that for a /32 or /128; a shorter "
                + "prefix needs a route of its own (e.g. a static blackhole route)" : ""));
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
            List<JsonNode> replies = new ArrayList<>();
            try (MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(r.output())) {
                while (it.hasNext()) {
                    replies.add(it.next());
                }
            } catch (IOException | RuntimeException e) {
                throw new ApplyException("cannot parse bgpd's reply to show bgp ... json" + r.exitSuffix() + ": " + r.summary(), e);
            }
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

    private void requireNoConflicts(FrrDelta delta) throws ApplyException {
        requireNoConflicts(delta.conflicts());
    }

    private void requireNoConflicts(SortedSet<Prefix> conflicts) throws ApplyException {
        if (!conflicts.isEmpty()) {
            throw new ApplyException(conflicts.size() + " prefix" + (conflicts.size() == 1 ? " has" : "es have")
                    + " a network line of the operator's in " + instance.header() + " (without an " + FrrRenderer.ROUTE_MAP_PREFIX
                    + "* route-map): " + FrrRunningConfig.sample(conflicts) + "; rhid leaves those lines alone, so it cannot "
                    + "withdraw these prefixes: remove the lines or the prefixes from rhid's config");
        }
    }

    private static DesiredState without(DesiredState desired, Set<Prefix> prefixes) {
        if (prefixes.isEmpty()) {
            return desired;
        }
        SortedMap<Prefix, Announcement> kept = new TreeMap<>(desired.announcements());
        kept.keySet().removeAll(prefixes);
        return new DesiredState(desired.addresses(), kept);
    }

    // ---- helpers -------------------------------------------------------------------------------

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

    private static void requireStarted(CommandResult r, String what, String field, Path path) throws ApplyException {
        if (r.exitCode() == -1 && !r.timedOut() && r.output().startsWith("cannot start")) {
            throw new ApplyException("cannot run " + what + " (" + field + " is " + path + "): " + r.summary());
        }
    }

    /** The lines of vtysh's output that report a failed line, for error messages. */
    private static String batchErrors(CommandResult r) {
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


    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
