package io.rhid.agent.cli;

import io.rhid.agent.apply.ApplyException;
import io.rhid.agent.apply.LoopbackApplier;
import io.rhid.agent.apply.ProcessCommandRunner;
import io.rhid.agent.config.ConfigLoader;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.control.Agent;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code rhid withdraw-all}: withdraws everything rhid announces, with or without a running rhid.
 * systemd runs it as ExecStopPost, so a crash or kill -9 never leaves routes announced.
 */
@Command(name = "withdraw-all", mixinStandardHelpOptions = true,
        description = {"Withdraw everything rhid announces (and remove the addresses it added, with "
                + "addresses.remove_when_down). Works when rhid is not running; systemd runs it after every stop."})
final class WithdrawAllCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // Only the router and address settings matter here; errors elsewhere must not stop it.
        RhidConfig c = new ConfigLoader(ProbeTypes.load()).loadForWithdrawal(config.file);
        PrintWriter out = spec.commandLine().getOut();
        ProcessCommandRunner runner = new ProcessCommandRunner();
        try {
            out.println("rhid withdraw-all: " + Agent.routerApplier(c, runner).withdrawAll());
        } catch (ApplyException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "withdraw-all: " + e.getMessage());
        }
        if (c.addresses().manage() && c.addresses().removeWhenDown()) {
            LoopbackApplier loopback = Agent.loopback(c, runner);
            try {
                loopback.retainOnly(List.of());
                out.println("rhid withdraw-all: removed the addresses rhid added to " + c.addresses().interfaceName());
            } catch (ApplyException e) {
                throw new CliException(ExitCodes.UNAVAILABLE, "withdraw-all: routes withdrawn, but " + e.getMessage());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
