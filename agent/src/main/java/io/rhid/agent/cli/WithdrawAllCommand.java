package io.rhid.agent.cli;

import io.rhid.agent.address.LoopbackApplier;
import io.rhid.agent.config.ConfigException;
import io.rhid.agent.config.ConfigLoader;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.control.Agent;
import io.rhid.agent.router.AppliedRecord;
import io.rhid.agent.router.ApplyException;
import io.rhid.agent.router.ProcessCommandRunner;
import io.rhid.agent.router.Withdrawal;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rhid withdraw-all}: withdraws everything rhid announces when rhid is not running, from the
 * config or, when that cannot be read, from the state dir's record of the last apply. systemd runs
 * it as ExecStopPost, so a crash or kill -9 never leaves routes announced. Runs on the CLI's thread.
 */
@Command(name = "withdraw-all", mixinStandardHelpOptions = true,
        description = {"Withdraw everything rhid announces (and remove the addresses it added, with "
                + "addresses.remove_when_down) while rhid is not running; systemd runs it after every stop.",
                "Uses the config, or the record of the last apply in the state dir when the config cannot be read. "
                        + "Retries for up to 15 s while the routing daemon does not answer.",
                "Exit: 0 once the routing daemon confirms nothing of rhid's is announced; 69 not confirmed; "
                        + "1 refused because rhid is running (use `rhid drain --all`); 78 no readable config and no record."})
final class WithdrawAllCommand implements Callable<Integer> {

    static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/rhid");
    /** Long enough for a daemon that is busy applying; a hung daemon must not block the withdrawal. */
    static final Duration RUNNING_PROBE_TIMEOUT = Duration.ofSeconds(2);

    @Mixin
    ConfigOption config;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where to find the record of the last apply (applied.json) when the config cannot be read "
                    + "(default: /var/lib/rhid).")
    Path stateDir;

    @Spec
    CommandSpec spec;

    /** What to withdraw and where that came from. */
    private record Target(RouterConfig router, RhidConfig.Addresses addresses, Path stateDir, Path controlSocket) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Target t = target(out);
        refuseIfRunning(t.controlSocket());
        ProcessCommandRunner runner = new ProcessCommandRunner();
        Withdrawal.Result r = Withdrawal.untilConfirmed(Agent.routerApplier(t.router(), runner), Withdrawal.BOUND,
                System::nanoTime, Withdrawal.Pause.SLEEP);
        if (!r.retried()) {
            // The router cannot be reached from this process at all (ExaBGP): its reason is the whole story.
            throw new CliException(ExitCodes.UNAVAILABLE, "withdraw-all: " + r.message());
        }
        for (int i = 0; i < r.failures().size(); i++) {
            out.println("rhid withdraw-all: attempt " + (i + 1) + " failed: " + r.failures().get(i));
        }
        out.flush();
        if (!r.confirmed()) {
            throw new CliException(ExitCodes.UNAVAILABLE, "withdraw-all: not confirmed after " + r.attempts()
                    + " attempts within " + Withdrawal.BOUND.toSeconds() + " s; the routes may still be announced: " + r.message());
        }
        out.println("rhid withdraw-all: " + r.message());
        if (t.addresses().manage() && t.addresses().removeWhenDown()) {
            LoopbackApplier loopback = new LoopbackApplier(t.addresses(), t.stateDir(), runner, t.router().commandTimeout());
            try {
                loopback.retainOnly(List.of());
                out.println("rhid withdraw-all: removed the addresses rhid added to " + t.addresses().interfaceName());
            } catch (ApplyException e) {
                throw new CliException(ExitCodes.UNAVAILABLE, "withdraw-all: routes withdrawn, but " + e.getMessage());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The config's router and address settings, or the record's when the config cannot be read. */
    private Target target(PrintWriter out) throws ConfigException {
        try {
            // Only the router and address settings matter here; errors elsewhere must not stop it.
            RhidConfig c = new ConfigLoader(ProbeTypes.load()).loadForWithdrawal(config.file);
            out.println("rhid withdraw-all: using " + config.file);
            return new Target(c.router(), c.addresses(), c.stateDir(), c.control().socket());
        } catch (ConfigException e) {
            Path dir = stateDir != null ? stateDir : DEFAULT_STATE_DIR;
            Optional<AppliedRecord> record;
            try {
                record = AppliedRecord.read(dir);
            } catch (IOException io) {
                spec.commandLine().getErr().println("rhid withdraw-all: cannot use the record of the last apply either: "
                        + io.getMessage());
                throw e;
            }
            if (record.isEmpty()) {
                spec.commandLine().getErr().println("rhid withdraw-all: no record of the last apply in " + dir
                        + " to fall back to (see --state-dir)");
                throw e;
            }
            AppliedRecord a = record.get();
            String first = e.errors().isEmpty() ? e.getMessage() : e.errors().get(0).toString();
            out.println("rhid withdraw-all: cannot use " + config.file + " (" + first
                    + (e.errors().size() > 1 ? " and " + (e.errors().size() - 1) + " more errors" : "") + ")");
            out.println("rhid withdraw-all: using the record of the last apply, " + AppliedRecord.file(dir) + " (written "
                    + a.writtenAt() + ": " + a.router().daemon().name().toLowerCase(java.util.Locale.ROOT) + ", "
                    + a.announced().size() + " announced, " + a.added().size() + " address(es) added to "
                    + a.addresses().interfaceName() + ")");
            return new Target(a.router(), a.addresses(), dir, a.controlSocket());
        }
    }

    /**
     * A running rhid would announce again at its next drift check, undoing this withdrawal, so
     * withdraw-all refuses and names the command that withdraws and holds. A daemon that does not
     * answer within {@link #RUNNING_PROBE_TIMEOUT} is treated as not running: a hung rhid must not
     * keep routes announced.
     */
    private static void refuseIfRunning(Path socket) {
        try {
            new ControlClient(socket, RUNNING_PROBE_TIMEOUT).call(ControlClient.request("status", List.of(), false));
        } catch (CliException notRunning) {
            return;
        }
        throw new CliException(ExitCodes.REFUSED, "withdraw-all: rhid is running (control socket " + socket + ") and would "
                + "announce again at its next drift check; use `rhid drain --all` to withdraw everything and hold it "
                + "until `rhid resume --all`, or stop rhid (it withdraws on stop)");
    }
}
