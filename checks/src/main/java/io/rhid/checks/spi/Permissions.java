package io.rhid.checks.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a file that rhid trusts (its config, a command it runs) could be changed by someone
 * other than its owner or root: writable by others, or by a group other than root's. Whoever can
 * write such a file can make rhid withdraw or announce prefixes.
 *
 * <p>Part of the SPI so that a provider can refuse a program or file its checks trust, as the
 * built-in {@code exec} type does, and the agent can apply the same rule to its config and hooks.
 * Stateless and thread-safe.
 */
public final class Permissions {

    private Permissions() {
    }

    /**
     * A message such as {@code is writable by other users (mode rw-rw-rw-)} when {@code file}
     * (after following links) is writable by others or by a non-root group; empty otherwise, and
     * when its permissions cannot be read (the caller's own checks then report the file).
     */
    public static Optional<String> unsafeWrite(Path file) {
        try {
            Path real = file.toRealPath();
            PosixFileAttributes attrs = Files.readAttributes(real, PosixFileAttributes.class);
            Set<PosixFilePermission> perms = attrs.permissions();
            String mode = PosixFilePermissions.toString(perms);
            if (perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                return Optional.of("is writable by other users (mode " + mode + "); make it writable only by its owner");
            }
            if (perms.contains(PosixFilePermission.GROUP_WRITE) && !Integer.valueOf(0).equals(Files.getAttribute(real, "unix:gid"))) {
                return Optional.of("is writable by group " + attrs.group().getName() + " (mode " + mode
                        + "); make it writable only by its owner or root");
            }
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }
}
