package io.rhid.agent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code rhid}: the command group; each subcommand is a thin class of its own. */
@Command(name = "rhid",
        mixinStandardHelpOptions = true,
        versionProvider = MainCommand.Version.class,
        description = "Route health injection daemon: announces anycast prefixes through BIRD or FRR "
                + "while the local service is healthy.",
        subcommands = {
                RunCommand.class,
                CheckConfigCommand.class,
                RenderCommand.class,
                ProbeCommand.class,
                WithdrawAllCommand.class,
                StatusCommand.class,
                DrainCommand.class,
                ResumeCommand.class,
                RecheckCommand.class,
                ReloadCommand.class,
                ImportCommand.class,
        })
final class MainCommand {

    /** The version from the build, as in {@code rhid --version}. */
    static String version() {
        try (InputStream in = MainCommand.class.getResourceAsStream("/io/rhid/agent/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"rhid " + version()};
        }
    }
}
