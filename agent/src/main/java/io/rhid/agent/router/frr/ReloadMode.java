package io.rhid.agent.router.frr;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.plan.Announcement;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.AtomicFiles;
import io.rhid.agent.router.CommandResult;
import io.rhid.agent.router.CommandRunner;
import io.rhid.agent.router.Drift;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code router.frr.mode: reload}: keeps rhid's lines in a block between {@code ! rhid begin} and
 * {@code ! rhid end} in {@code config_file} (appended at the end of the file when missing) and lets
 * frr-reload.py apply the whole file: {@code --test} validates, {@code --reload} applies; on
 * failure the previous file is put back. The block holds complete top-level sections (the
 * route-maps, and a second {@code router bgp ASN} section with only the address families and
 * {@code network} lines): frr-reload.py and FRR's own config reader merge repeated sections of the
 * same instance, so the operator's {@code router bgp} section stays byte for byte as written.
 * {@code config_file} must be exactly {@code CONFDIR/frr.conf} (frr-reload.py's {@code --confdir},
 * default /etc/frr), or frr-reload.py ends with {@code write}, rewriting frr.conf from the running
 * config and dropping the block's markers. Confined to the control loop's thread.
 */
final class ReloadMode implements FrrMode {

    private static final Logger log = LoggerFactory.getLogger(ReloadMode.class);
    /** frr-reload.py runs one vtysh per removed line (~30 ms measured); allow this much per line. */
    private static final Duration RELOAD_TIME_PER_LINE = Duration.ofMillis(100);
    private static final String DEFAULT_CONFDIR = "/etc/frr";

    private final RouterConfig.Frr frr;
    private final BgpInstance instance;
    private final Bgpd bgpd;
    private final CommandRunner runner;
    private final Duration timeout;

    ReloadMode(RouterConfig.Frr frr, BgpInstance instance, Bgpd bgpd, CommandRunner runner, Duration timeout) {
        this.frr = frr;
        this.instance = instance;
        this.bgpd = bgpd;
        this.runner = runner;
        this.timeout = timeout;
    }

    @Override
    public String render(DesiredState desired) {
        return FrrSyntax.block(desired, frr);
    }

    @Override
    public Applied apply(DesiredState desired, FrrRunningConfig running) throws ApplyException {
        requireConfigFileInConfdir();
        String current = readConfigFile().orElseThrow(() -> new ApplyException(frr.configFile()
                + " does not exist: router.frr.mode reload keeps rhid's lines in a block of the operator's frr.conf "
                + "(router.frr.config_file)"));
        requireNoStrayLines(current);
        SortedSet<Prefix> conflicts = running.conflicts(desired, instance);
        DesiredState effective = without(desired, conflicts);
        String next = spliceBlock(current, FrrSyntax.block(effective, frr));
        FrrDelta delta = FrrDiff.delta(running, effective, instance);
        if (next.equals(current) && delta.isEmpty()) {
            return new Applied(effective, null, conflicts);
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
        bgpd.requireHolds(effective, "frr-reload.py --reload", "");
        return new Applied(effective, delta.announce().keySet(), conflicts);
    }

    @Override
    public List<Drift> fileDrift(DesiredState applied) throws ApplyException {
        List<Drift> drift = new ArrayList<>();
        Optional<String> text = readConfigFile();
        if (text.isEmpty()) {
            drift.add(new Drift("file", frr.configFile() + " is missing"));
            return drift;
        }
        Optional<String> block;
        try {
            block = FrrConfigFile.block(text.get());
        } catch (IllegalArgumentException e) {
            throw new ApplyException(frr.configFile() + " " + e.getMessage());
        }
        if (block.isEmpty()) {
            drift.add(new Drift("file", frr.configFile() + " has no rhid block"));
        } else if (!block.get().equals(FrrSyntax.block(applied, frr))) {
            drift.add(new Drift("file", "rhid's block in " + frr.configFile() + " was changed outside rhid"));
        }
        List<String> stray = FrrConfigFile.strayLines(text.get());
        if (!stray.isEmpty()) {
            drift.add(new Drift("file", frr.configFile() + " has rhid lines outside its block: " + FrrDiff.sample(stray)));
        }
        return drift;
    }

    /**
     * Empties rhid's block and has frr-reload.py remove the lines; when the file cannot be written
     * (disk full, read-only) the lines are removed over vtysh instead, which withdraws at once
     * (frr.conf keeps the lines for bgpd's next start).
     */
    @Override
    public Withdrawing beginWithdrawAll() throws ApplyException {
        requireConfigFileInConfdir();
        Optional<String> current = readConfigFile();
        String note;
        if (current.isEmpty()) {
            note = frr.configFile() + " does not exist; ";
        } else if (!hasBlock(current.get())) {
            note = frr.configFile() + " has no rhid block; ";
        } else {
            String next = spliceBlock(current.get(), FrrSyntax.block(DesiredState.EMPTY, frr));
            if (next.equals(current.get())) {
                note = "rhid's block in " + frr.configFile() + " is empty; ";
            } else {
                try {
                    write(next);
                    note = "emptied rhid's block in " + frr.configFile() + "; ";
                } catch (ApplyException e) {
                    return new Withdrawing(e.getMessage() + ", so rhid's lines were removed over vtysh instead; ", bgpd::batch);
                }
            }
        }
        String fileNote = note;
        return new Withdrawing(fileNote, delta -> {
            CommandResult reload = frrReload("--reload", reloadTimeout(delta));
            if (!reload.ok()) {
                throw new ApplyException(fileNote + "but frr-reload.py --reload failed" + reload.exitSuffix() + ": "
                        + reload.summary());
            }
        });
    }

    @Override
    public String whenBgpdDown() {
        return " and it will start without rhid's lines";
    }

    @Override
    public String leftoverHint() {
        return "; " + strayNote();
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
        Bgpd.requireStarted(r, "frr-reload.py", "router.frr.frr_reload", frr.frrReload());
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
                inRhidMap = t.matches("(no )?route-map " + FrrSyntax.ROUTE_MAP_PREFIX + ".*");
            }
            boolean rhid = t.contains(" route-map " + FrrSyntax.ROUTE_MAP_PREFIX) || inRhidMap
                    || t.startsWith("router bgp ") || t.startsWith("address-family ") || t.equals("exit-address-family")
                    || t.equals("exit") || t.equals("service integrated-vtysh-config");
            if (!rhid) {
                other.add(t);
            }
        }
        if (!other.isEmpty()) {
            log.warn("frr: frr-reload.py also changes lines outside rhid's block (running config edited by hand?): {}",
                    FrrDiff.sample(other));
        }
    }

    private void requireConfigFileInConfdir() throws ApplyException {
        String confdir = Bgpd.option(frr.frrReloadArgs(), "--confdir").orElse(DEFAULT_CONFDIR);
        String expected = confdir + "/frr.conf";
        if (!frr.configFile().toString().equals(expected)) {
            throw new ApplyException("router.frr.config_file is " + frr.configFile() + " but frr-reload.py's confdir is "
                    + confdir + (Bgpd.option(frr.frrReloadArgs(), "--confdir").isPresent() ? " (--confdir in router.frr.frr_reload_args)"
                    : " (its default; set --confdir in router.frr.frr_reload_args)")
                    + ": for any file other than exactly " + expected + " frr-reload.py ends with `write`, which overwrites "
                    + expected + " with the running config");
        }
    }

    private void requireNoStrayLines(String text) throws ApplyException {
        List<String> stray = FrrConfigFile.strayLines(text);
        if (!stray.isEmpty()) {
            throw new ApplyException(frr.configFile() + " has rhid lines outside its block (" + FrrSyntax.BEGIN + " ... "
                    + FrrSyntax.END + "), e.g. from a `write memory`; frr-reload.py would keep them configured: "
                    + FrrDiff.sample(stray) + "; remove them from the file");
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
                    .map(l -> frr.configFile() + " has rhid lines outside its block: " + FrrDiff.sample(l))
                    .orElse("frr-reload.py did not remove them");
        } catch (ApplyException e) {
            return e.getMessage();
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
}
