package io.rhid.agent.cli;

import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The client commands ({@code status}, {@code drain}, {@code resume}, {@code recheck},
 * {@code reload}) without picocli, Jackson or a YAML library: building picocli's model and
 * loading those libraries cost a short call far more than its own work, and operators run
 * {@code rhid status} often. {@code rhid --version} is answered here too. Only plain command
 * lines are parsed here; anything else (help, an unknown or repeated option, {@code @files},
 * {@code --}) is left to picocli, so help texts and usage errors stay picocli's. Used on the
 * main thread.
 */
final class LeanClient {

    /** A parsed client command line. */
    record Args(String command, Path config, Path socket, boolean json, boolean all, List<String> services) {
    }

    private LeanClient() {
    }

    /**
     * Runs {@code args} if it is a plain client command line.
     *
     * @return the exit code, or null when picocli must handle the line (nothing was done)
     */
    static Integer run(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // As picocli prints MainCommand's version provider, without building its whole model.
            out.println("rhid " + MainCommand.version());
            out.flush();
            return ExitCodes.OK;
        }
        Args parsed = parse(args);
        if (parsed == null) {
            return null;
        }
        try {
            ClientCall call = new ClientCall(ControlSocket.resolve(parsed.socket(), parsed.config(), err), out);
            return switch (parsed.command()) {
                case "status" -> call.status(parsed.json());
                case "drain", "resume" -> {
                    if (parsed.all() == !parsed.services().isEmpty()) {
                        // Worded as ServiceSelection words it under picocli.
                        throw new CliException(ExitCodes.USAGE, parsed.all()
                                ? parsed.command() + ": give SERVICE names or --all, not both"
                                : parsed.command() + ": give SERVICE names or --all");
                    }
                    yield call.send(parsed.command(), parsed.services(), parsed.all());
                }
                default -> call.send(parsed.command(), parsed.services(), false);
            };
        } catch (CliException e) {
            err.println(e.line());
            err.flush();
            return e.exitCode();
        } catch (RuntimeException e) {
            // As Main's handler reports a bug under picocli.
            err.println("rhid: internal error: " + e);
            e.printStackTrace(err);
            err.flush();
            return ExitCodes.SOFTWARE;
        }
    }

    /**
     * The command line, if it is one this class handles exactly as picocli would: a client
     * command, then {@code -c}/{@code --config FILE}, {@code --socket PATH} (each at most once,
     * also as {@code --name=value}), {@code --json} for status, {@code --all} for drain and resume,
     * and service names for drain, resume and recheck.
     *
     * @return null for anything else
     */
    static Args parse(String[] args) {
        if (args.length == 0) {
            return null;
        }
        String command = args[0];
        boolean takesServices;
        switch (command) {
            case "status", "reload" -> takesServices = false;
            case "drain", "resume", "recheck" -> takesServices = true;
            default -> {
                return null;
            }
        }
        String config = null;
        String socket = null;
        boolean json = false;
        boolean all = false;
        List<String> services = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.isEmpty() || a.startsWith("@")) {
                return null; // picocli expands @files; leave empty words to it too
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
                if (value.isEmpty()) {
                    return null;
                }
            }
            switch (name) {
                case "-c", "--config", "--socket" -> {
                    if (value == null) {
                        if (i + 1 == args.length) {
                            return null;
                        }
                        value = args[++i];
                        if (value.isEmpty() || value.startsWith("-") || value.startsWith("@")) {
                            return null;
                        }
                    }
                    if (name.equals("--socket")) {
                        if (socket != null) {
                            return null;
                        }
                        socket = value;
                    } else {
                        if (config != null) {
                            return null;
                        }
                        config = value;
                    }
                }
                case "--json" -> {
                    if (!command.equals("status") || json || value != null) {
                        return null;
                    }
                    json = true;
                }
                case "--all" -> {
                    if (!(command.equals("drain") || command.equals("resume")) || all || value != null) {
                        return null;
                    }
                    all = true;
                }
                default -> {
                    if (a.startsWith("-") || !takesServices) {
                        return null;
                    }
                    services.add(a);
                }
            }
        }
        return new Args(command, Path.of(config == null ? ConfigOption.DEFAULT : config),
                socket == null ? null : Path.of(socket), json, all, List.copyOf(services));
    }

    /** Standard output as picocli wraps it, so the bytes written are the same. */
    static PrintWriter stdout() {
        return writer(System.out, System.getProperty("sun.stdout.encoding"));
    }

    /** Standard error as picocli wraps it. */
    static PrintWriter stderr() {
        return writer(System.err, System.getProperty("sun.stderr.encoding"));
    }

    private static PrintWriter writer(OutputStream stream, String encoding) {
        Charset charset = Charset.defaultCharset();
        if (encoding != null) {
            try {
                charset = Charset.forName("cp65001".equalsIgnoreCase(encoding) ? "UTF-8" : encoding);
            } catch (RuntimeException e) {
                // picocli falls back to the default too
            }
        }
        return new PrintWriter(new BufferedWriter(new OutputStreamWriter(stream, charset)), true);
    }
}
