package io.rhid.checks.file;

import io.rhid.checks.spi.ProbeSpec;
import java.util.Objects;

/**
 * A {@code file} check, the maintenance switch: healthy while nothing exists at {@code path}.
 *
 * @param path an absolute path
 */
record FileProbeSpec(String path) implements ProbeSpec {

    FileProbeSpec {
        Objects.requireNonNull(path, "path");
    }

    @Override
    public String type() {
        return FileProbeProvider.TYPE;
    }

    @Override
    public String target() {
        return path;
    }
}
