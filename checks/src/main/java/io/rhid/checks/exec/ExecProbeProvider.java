package io.rhid.checks.exec;

import io.rhid.checks.spi.Permissions;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeProvider;
import io.rhid.checks.spi.SpecReader;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static io.rhid.checks.internal.Reasons.quote;

/** The {@code exec} check type; resolves commands on PATH at parse time; stateless and thread-safe. */
public final class ExecProbeProvider implements ProbeProvider<ExecProbeSpec> {

    static final String TYPE = "exec";

    /** Used when the agent runs without PATH, as some init systems start services. */
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final String path;

    public ExecProbeProvider() {
        this(Objects.requireNonNullElse(System.getenv("PATH"), DEFAULT_PATH));
    }

    /** For tests: resolves commands on {@code path} instead of the agent's PATH. */
    ExecProbeProvider(String path) {
        this.path = path;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<ExecProbeSpec> specType() {
        return ExecProbeSpec.class;
    }

    @Override
    public ExecProbeSpec parse(SpecReader reader) {
        // SpecReader has no requiredStrings, and an empty result means absent or a type error the
        // reader already reported; only a new error tells them apart.
        boolean errorsBefore = reader.hasErrors();
        Optional<List<String>> given = reader.strings("command");
        boolean typeError = !errorsBefore && reader.hasErrors();
        if (given.isEmpty() && !typeError) {
            reader.error("command", "is required");
        }
        List<String> command = given.map(c -> command(reader, c)).orElse(null);
        Map<String, String> env = reader.stringMap("env").map(e -> env(reader, e)).orElse(Map.of());
        if (reader.hasErrors()) {
            return null;
        }
        return new ExecProbeSpec(command, env);
    }

    @Override
    public Probe create(ExecProbeSpec exec, ProbeContext context) {
        return new ExecProbe(exec, context);
    }

    private List<String> command(SpecReader reader, List<String> command) {
        if (command.isEmpty()) {
            reader.error("command", "must not be empty");
            return null;
        }
        String program = command.get(0);
        String resolved = program.startsWith("/") ? absolute(reader, program) : onPath(reader, program);
        if (resolved == null) {
            return null;
        }
        List<String> argv = new ArrayList<>(command);
        argv.set(0, resolved);
        for (int i = 0; i < argv.size(); i++) {
            if (argv.get(i).indexOf('\0') >= 0) {
                reader.error("command[" + i + "]", "must not contain NUL");
            }
        }
        return argv;
    }

    private static String absolute(SpecReader reader, String program) {
        Path file;
        try {
            file = Path.of(program);
        } catch (InvalidPathException e) {
            reader.error("command[0]", "must be a valid path (found " + quote(program) + ")");
            return null;
        }
        if (!Files.exists(file)) {
            reader.error("command[0]", "no such file (found " + quote(program) + ")");
            return null;
        }
        if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
            reader.error("command[0]", "must be an executable file (found " + quote(program) + ")");
            return null;
        }
        return trusted(reader, program);
    }

    /** Refuses a program others could rewrite: whoever can write it could run code as rhid. */
    private static String trusted(SpecReader reader, String program) {
        Optional<String> unsafe = Permissions.unsafeWrite(Path.of(program));
        if (unsafe.isPresent()) {
            reader.error("command[0]", quote(program) + " " + unsafe.get());
            return null;
        }
        return program;
    }

    private String onPath(SpecReader reader, String program) {
        if (program.isEmpty() || program.contains("/")) {
            reader.error("command[0]", "must be an absolute path or a program name found on PATH (found "
                    + quote(program) + ")");
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            // Relative PATH entries would make the check depend on the agent's working directory.
            if (!dir.startsWith("/")) {
                continue;
            }
            try {
                Path candidate = Path.of(dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return trusted(reader, candidate.toString());
                }
            } catch (InvalidPathException e) {
                break;
            }
        }
        reader.error("command[0]", "no executable " + quote(program) + " found on PATH " + path);
        return null;
    }

    private static Map<String, String> env(SpecReader reader, Map<String, String> env) {
        Map<String, String> valid = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                reader.error("env", "variable name must be non-empty without \"=\" or NUL (found " + quote(name) + ")");
            } else if (value.indexOf('\0') >= 0) {
                reader.error("env", "value of " + name + " must not contain NUL");
            } else {
                valid.put(name, value);
            }
        });
        return valid;
    }
}
