package io.rhid.agent.cli;

import io.rhid.agent.config.Prefix;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.control.Agent;
import io.rhid.agent.health.ServiceState;
import io.rhid.agent.plan.DesiredState;
import io.rhid.agent.plan.Planner;
import io.rhid.agent.router.CommandRunner;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rhid render}: prints exactly what rhid would write for assumed service states. */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Print exactly what rhid would write to the routing daemon for assumed service states: the BIRD "
                + "include file, the FRR vtysh batch (mode vtysh) or block (mode reload), the ExaBGP API commands; with "
                + "--addresses, the addresses "
                + "it would keep on the interface."})
final class RenderCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--assume", paramLabel = "STATE|SERVICE=STATE", split = ",",
            description = {"up, degraded, draining, drained or down: for every service, or SERVICE=STATE for one.",
                    "Repeatable; later ones win. Default: every service up."})
    List<String> assume = new ArrayList<>();

    @Option(names = "--addresses", description = "Print the address set instead, one per line.")
    boolean addresses;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RhidConfig c = config.load(ProbeTypes.load());
        Map<String, ServiceState> states = new HashMap<>();
        c.services().keySet().forEach(s -> states.put(s, ServiceState.UP));
        for (String a : assume) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                ServiceState all = state(a);
                c.services().keySet().forEach(s -> states.put(s, all));
            } else {
                String service = a.substring(0, eq);
                if (!c.services().containsKey(service)) {
                    throw new CliException(ExitCodes.USAGE, "--assume " + a + ": no service named " + service + " in "
                            + config.file);
                }
                states.put(service, state(a.substring(eq + 1)));
            }
        }
        DesiredState desired = Planner.plan(c, states);
        PrintWriter out = spec.commandLine().getOut();
        if (addresses) {
            for (Prefix p : desired.addresses()) {
                out.println(p);
            }
        } else {
            CommandRunner none = (argv, stdin, timeout) -> {
                throw new IllegalStateException("render runs no commands");
            };
            out.print(Agent.routerApplier(c, none).render(desired));
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static ServiceState state(String text) {
        try {
            return ServiceState.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "--assume: unknown state \"" + text
                    + "\" (allowed: up, degraded, draining, drained, down)");
        }
    }
}
