package io.rhid.agent.router;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Replaces files so that readers see either the old or the new content, never a mix, and the new
 * content survives a crash: temp file in the same directory, fsync, close, atomic rename, fsync of
 * the directory. Every file written gets mode {@link #MODE} (0640) and its directory's group
 * (bird for /etc/bird, where the package makes rhid a member), whatever the replaced path was.
 * Stateless.
 */
public final class AtomicFiles {

    /** rw-r-----: the daemon reading the file gets it through the group; others need nothing. */
    static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-r-----");

    private AtomicFiles() {
    }

    public static void write(Path file, String content) throws IOException {
        write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    public static void write(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            setOwnership(dir, tmp);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + file + " atomically: " + e.getMessage(), e);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The file's content, or empty when it does not exist. */
    public static Optional<String> read(Path file) throws IOException {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Gives the new file rhid's own mode and the directory's group, never the replaced file's: the
     * old path may be a symlink or a file someone else swapped in, and copying its attributes
     * would let them choose who can read or rewrite what the routing daemon loads.
     */
    private static void setOwnership(Path dir, Path tmp) throws IOException {
        PosixFileAttributeView target = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        if (target == null) {
            return; // not a POSIX file system: nothing to set
        }
        target.setPermissions(MODE);
        try {
            GroupPrincipal group = Files.readAttributes(dir, PosixFileAttributes.class).group();
            target.setGroup(group);
        } catch (IOException notAMember) {
            // rhid may only give a file a group it belongs to; then it keeps rhid's own group.
        }
    }

    /** A short reason for a failed file operation: "permission denied", "No space left on device". */
    public static String describe(IOException e) {
        String kind = e.getClass().getSimpleName();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : kind;
    }
}
