package io.rhid.checks.file;

import io.rhid.checks.internal.Reasons;
import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeResult;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Fails while the maintenance file exists; stateless, so safe from any thread. */
final class FileProbe implements Probe {

    private final Path path;

    FileProbe(FileProbeSpec spec) {
        this.path = Path.of(spec.path());
    }

    @Override
    public ProbeResult run() {
        try {
            // Not Files.exists: it answers false when it cannot tell, which would hide a switch
            // that was set but is unreadable. A dangling symlink counts as present too.
            Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return ProbeResult.failure("present: " + path);
        } catch (NoSuchFileException e) {
            return ProbeResult.pass("absent");
        } catch (AccessDeniedException e) {
            return ProbeResult.failure("cannot check " + path + ": permission denied");
        } catch (FileSystemException e) {
            String reason = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
            return ProbeResult.failure("cannot check " + path + ": " + reason);
        } catch (IOException e) {
            return ProbeResult.failure("cannot check " + path + ": " + Reasons.unexpected(e));
        } catch (RuntimeException e) {
            return ProbeResult.failure(Reasons.unexpected(e));
        }
    }
}
