package io.rhid.agent.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void replaces_the_content_and_leaves_no_temporary_file() throws Exception {
        Path file = dir.resolve("rhid.conf");
        AtomicFiles.write(file, "one\n");
        AtomicFiles.write(file, "two\n");
        assertThat(Files.readString(file)).isEqualTo("two\n");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void gives_its_own_mode_whatever_mode_the_replaced_file_had() throws Exception {
        Path file = dir.resolve("rhid.conf");
        Files.writeString(file, "old\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        AtomicFiles.write(file, "new\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
    }

    @Test
    void creates_new_files_with_mode_0640_and_the_directorys_group() throws Exception {
        Path file = dir.resolve("rhid.conf");
        AtomicFiles.write(file, "new\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        assertThat(group(file)).isEqualTo(group(dir));
    }

    @Test
    void replaces_a_symlink_without_writing_through_it_or_taking_its_targets_mode_and_group() throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path target = elsewhere.resolve("target");
        Files.writeString(target, "target\n");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-rw-"));
        GroupPrincipal other = otherGroup(target);
        Path etc = Files.createDirectory(dir.resolve("etc"));
        Path file = etc.resolve("rhid.conf");
        Files.createSymbolicLink(file, target);

        AtomicFiles.write(file, "new\n");

        assertThat(Files.isSymbolicLink(file)).isFalse();
        assertThat(Files.readString(file)).isEqualTo("new\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo("rw-r-----");
        assertThat(group(file)).isEqualTo(group(etc)).isNotEqualTo(other);
        assertThat(Files.readString(target)).isEqualTo("target\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-rw-rw-");
    }

    private static GroupPrincipal group(Path p) throws Exception {
        return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).group();
    }

    /** Gives {@code file} a group other than the test's own, where the user running the test may. */
    private static GroupPrincipal otherGroup(Path file) throws Exception {
        GroupPrincipal mine = group(file);
        var lookup = file.getFileSystem().getUserPrincipalLookupService();
        for (String name : new String[] {"nogroup", "daemon", "users", "bin"}) {
            try {
                GroupPrincipal g = lookup.lookupPrincipalByGroupName(name);
                if (!g.equals(mine)) {
                    Files.getFileAttributeView(file, PosixFileAttributeView.class).setGroup(g);
                    return g;
                }
            } catch (java.io.IOException notPermitted) {
                // try the next one
            }
        }
        Assumptions.abort("cannot give a file a second group as this user");
        return null;
    }

    @Test
    void reads_a_missing_file_as_empty() throws Exception {
        assertThat(AtomicFiles.read(dir.resolve("absent"))).isEmpty();
    }
}
