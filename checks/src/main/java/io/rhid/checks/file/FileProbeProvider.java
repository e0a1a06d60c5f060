package io.rhid.checks.file;

import io.rhid.checks.spi.Probe;
import io.rhid.checks.spi.ProbeContext;
import io.rhid.checks.spi.ProbeProvider;
import io.rhid.checks.spi.SpecReader;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import static io.rhid.checks.internal.Reasons.quote;

/** The {@code file} check type; stateless and thread-safe. */
public final class FileProbeProvider implements ProbeProvider<FileProbeSpec> {

    static final String TYPE = "file";

    public FileProbeProvider() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Class<FileProbeSpec> specType() {
        return FileProbeSpec.class;
    }

    @Override
    public FileProbeSpec parse(SpecReader reader) {
        String path = reader.requiredString("path").filter(p -> valid(reader, p)).orElse(null);
        if (reader.hasErrors()) {
            return null;
        }
        return new FileProbeSpec(path);
    }

    @Override
    public Probe create(FileProbeSpec file, ProbeContext context) {
        return new FileProbe(file);
    }

    private static boolean valid(SpecReader reader, String path) {
        try {
            if (Path.of(path).isAbsolute()) {
                return true;
            }
        } catch (InvalidPathException e) {
            // reported below like any other unusable path
        }
        reader.error("path", "must be an absolute path (found " + quote(path) + ")");
        return false;
    }
}
