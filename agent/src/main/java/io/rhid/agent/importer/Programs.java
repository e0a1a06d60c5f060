package io.rhid.agent.importer;

import io.rhid.checks.spi.Permissions;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether rhid's exec check would accept a program on this host, by the same rules it applies
 * when it loads a config: an absolute path or a name on PATH, a regular executable file, writable
 * only by its owner or root. The importer asks so that it never prints a config that
 * {@code rhid check-config} refuses. Implementations are stateless.
 */
interface Programs {

    /** Empty when rhid would run {@code program}; otherwise why not. */
    Optional<String> problem(String program);

    /** The real file system and the PATH rhid itself would search. */
    static Programs host() {
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        return program -> {
            try {
                if (program.startsWith("/")) {
                    Path file = Path.of(program);
                    if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
                        return Optional.of(program + " is not an executable file on this host");
                    }
                    return Permissions.unsafeWrite(file).map(why -> program + " " + why);
                }
                if (program.isEmpty() || program.contains("/")) {
                    return Optional.of(program + " is neither an absolute path nor a program name");
                }
                for (String dir : path.split(File.pathSeparator)) {
                    if (!dir.startsWith("/")) {
                        continue;
                    }
                    Path candidate = Path.of(dir, program);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return Permissions.unsafeWrite(candidate).map(why -> candidate + " " + why);
                    }
                }
                return Optional.of("no executable " + program + " on PATH " + path);
            } catch (InvalidPathException e) {
                return Optional.of(program + " is not a valid path");
            }
        };
    }
}
