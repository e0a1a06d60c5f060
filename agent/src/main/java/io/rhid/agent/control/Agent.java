package io.rhid.agent.control;

import io.rhid.agent.address.LoopbackApplier;
import io.rhid.agent.config.ConfigLoader;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.router.CommandRunner;
import io.rhid.agent.router.ExportQuery;
import io.rhid.agent.router.RouterApplier;
import io.rhid.agent.router.bird.BirdApplier;
import io.rhid.agent.router.bird.BirdCommands;
import io.rhid.agent.router.bird.BirdExports;
import io.rhid.agent.router.exabgp.ExabgpApplier;
import io.rhid.agent.router.frr.FrrApplier;
import io.rhid.agent.router.frr.FrrExports;
import io.rhid.agent.status.Metrics;

/** Assembles the daemon's parts for a config: the appliers for its routing daemon and the loop. */
public final class Agent {

    private Agent() {
    }

    public static RouterApplier routerApplier(RhidConfig config, CommandRunner runner) {
        if (config.router().daemon() == RouterConfig.Daemon.EXABGP) {
            return ExabgpApplier.create(config);
        }
        return routerApplier(config.router(), runner);
    }

    /**
     * The applier for {@code router} alone, for {@code rhid withdraw-all}; for ExaBGP one that can
     * only explain that it cannot reach ExaBGP.
     */
    public static RouterApplier routerApplier(RouterConfig router, CommandRunner runner) {
        return switch (router.daemon()) {
            case BIRD -> BirdApplier.create(router.bird(), runner, router.commandTimeout());
            case FRR -> new FrrApplier(router.frr(), runner, router.commandTimeout());
            case EXABGP -> ExabgpApplier.withoutPipe(router);
        };
    }

    /** Asks the config's routing daemon what it exports to its BGP peers. */
    public static ExportQuery exportQuery(RhidConfig config, CommandRunner runner) {
        if (config.router().daemon() == RouterConfig.Daemon.EXABGP) {
            // ExaBGP is reached only through the pipe, which the control loop's thread owns; this
            // query runs on a thread of its own, so rhid reports no export counts under ExaBGP.
            return ExportQuery.NONE;
        }
        if (config.router().daemon() == RouterConfig.Daemon.BIRD) {
            RouterConfig.Bird bird = config.router().bird();
            return new BirdExports(BirdCommands.of(bird, runner, config.router().commandTimeout()), bird.protocolV4(),
                    bird.protocolV6());
        }
        return new FrrExports(config.router().frr(), runner, config.router().commandTimeout());
    }

    public static LoopbackApplier loopback(RhidConfig config, CommandRunner runner) {
        return new LoopbackApplier(config.addresses(), config.stateDir(), runner, config.router().commandTimeout());
    }

    /** The control loop for {@code config}; reloads read {@code config.source()} again. */
    public static ControlLoop controlLoop(RhidConfig config, ProbeTypes types, Environment env, CommandRunner runner,
                                          Metrics metrics, String version) {
        ConfigLoader loader = new ConfigLoader(types);
        return new ControlLoop(config, () -> loader.load(config.source()), types, env, routerApplier(config, runner),
                loopback(config, runner), metrics, version, exportQuery(config, runner), ExportWatch.thread());
    }
}
