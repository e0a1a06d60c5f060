package io.rhid.agent.cli;

import io.rhid.agent.config.CheckConfig;
import io.rhid.agent.config.ProbeTypes;
import io.rhid.agent.config.RhidConfig;
import io.rhid.agent.config.RouterConfig;
import io.rhid.agent.control.Agent;
import io.rhid.agent.control.ControlLoop;
import io.rhid.agent.control.ControlServer;
import io.rhid.agent.control.Environment;
import io.rhid.agent.log.LogSetup;
import io.rhid.agent.router.ProcessCommandRunner;
import io.rhid.agent.router.exabgp.ExabgpPipe;
import io.rhid.agent.status.Metrics;
import io.rhid.agent.status.StatusServer;
import io.rhid.agent.systemd.SystemdNotifier;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** {@code rhid run}: the daemon, in the foreground. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the daemon in the foreground: probe services and announce their prefixes while healthy.",
                "SIGTERM/SIGINT withdraw everything rhid announced, then exit 0; 69 if the routing daemon did not confirm "
                        + "the withdrawal within 15 s."})
final class RunCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
            description = "error, warn, info or debug (default: ${DEFAULT-VALUE}); debug logs every probe result.")
    String logLevel;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json, one object per line (default: ${DEFAULT-VALUE}).")
    LogSetup.Format logFormat;

    private ExabgpPipe exabgp;

    @Override
    public Integer call() throws Exception {
        LogSetup.configure(logLevel, logFormat);
        Logger log = LoggerFactory.getLogger(RunCommand.class);
        ProbeTypes types = ProbeTypes.load();
        RhidConfig c = config.load(types);
        if (c.router().daemon() == RouterConfig.Daemon.EXABGP) {
            // Claimed before anything else runs: from here on stdout carries only ExaBGP commands.
            exabgp = ExabgpPipe.stdio();
        }
        log.info("rhid {} starting with {}", MainCommand.version(), config.file);
        // Before the first probe: its timeout must not pay for class loading and TLS set-up.
        types.warmUp(c.services().values().stream().flatMap(s -> s.checks().stream()).map(CheckConfig::spec).toList());
        Metrics metrics = new Metrics();
        Environment env = Environment.system();
        ControlLoop loop = Agent.controlLoop(c, types, env, new ProcessCommandRunner(), metrics, MainCommand.version());
        // Both servers start before the loop: a second rhid on the same host fails here, on the
        // control socket, before its startup apply could withdraw the first one's routes.
        StatusServer http;
        ControlServer control;
        try {
            http = StatusServer.start(c.status(), loop::snapshot, metrics);
        } catch (IOException e) {
            throw new CliException(ExitCodes.CANNOT_LISTEN, e.getMessage());
        }
        try {
            control = ControlServer.start(c.control(), loop);
        } catch (IOException e) {
            http.close();
            throw new CliException(ExitCodes.CANNOT_LISTEN, e.getMessage());
        }
        // Under systemd (Type=notify): READY=1 after the first apply, WATCHDOG=1 from the loop.
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(System.getenv(), ProcessHandle.current().pid(),
                System::nanoTime, loop::snapshot).orElse(null);
        if (notifier != null) {
            loop.heartbeat(notifier);
        }
        try (env; http; control; notifier) {
            return runLoop(log, loop, notifier);
        }
    }

    private int runLoop(Logger log, ControlLoop loop, SystemdNotifier notifier) throws InterruptedException {
        AtomicReference<Throwable> crashed = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                loop.run();
            } catch (Throwable t) {
                crashed.set(t);
            }
        }, "rhid-control");
        Runnable stop = () -> {
            if (notifier != null) {
                notifier.stopping();
            }
            loop.submit(new ControlLoop.Stop());
        };
        if (exabgp != null) {
            // ExaBGP terminates rhid right after "shutdown" (and its death ends stdin): its sessions,
            // and so rhid's routes, go with it, so there is nothing left to wait for.
            exabgp.onClosed(reason -> {
                log.info("{}: stopping", reason);
                stop.run();
            });
        }
        // Handling TERM and INT ourselves (instead of the JVM's default, which exits 143 after
        // shutdown hooks) lets rhid withdraw first and then exit 0.
        Signal.handle(new Signal("TERM"), s -> {
            log.info("SIGTERM: withdrawing and stopping");
            stop.run();
        });
        Signal.handle(new Signal("INT"), s -> {
            log.info("SIGINT: withdrawing and stopping");
            stop.run();
        });
        SignalHandler previous = Signal.handle(new Signal("HUP"), s -> {
            log.info("SIGHUP: reloading {}", config.file);
            loop.reload().thenAccept(r -> {
                if (!r.ok()) {
                    log.error("SIGHUP: {}", r.message().lines().findFirst().orElse(""));
                }
            });
        });
        if (previous == SignalHandler.SIG_IGN) {
            // A signal ignored when the JVM started (nohup does that to SIGHUP) stays ignored.
            log.warn("SIGHUP is ignored in this process (started under nohup?): it will not reload; use `rhid reload`");
        }
        thread.start();
        thread.join();
        if (crashed.get() != null) {
            log.error("rhid stopped on an internal error", crashed.get());
            return ExitCodes.SOFTWARE;
        }
        if (!loop.withdrawnOnStop()) {
            // systemd logs the status; ExecStopPost (withdraw-all) runs either way and tries again.
            log.error("exiting with {}: the routing daemon did not confirm the withdrawal", ExitCodes.UNAVAILABLE);
            return ExitCodes.UNAVAILABLE;
        }
        return ExitCodes.OK;
    }
}
