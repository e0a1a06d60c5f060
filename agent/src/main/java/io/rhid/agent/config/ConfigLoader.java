package io.rhid.agent.config;

import io.rhid.checks.spi.Permissions;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * Loads and validates a config file. Thread-safe: each call works on its own state.
 *
 * <p>Every problem is collected and reported at once, sorted by position, in the form
 * {@code FILE:LINE:COL: PATH: message}. A file that cannot be read is one error, not a stack trace.
 */
public final class ConfigLoader {

    /** Config files are small; anything bigger is a mistake (or an attack on the parser). */
    static final long MAX_BYTES = 4L << 20;

    private final ProbeTypes types;

    public ConfigLoader(ProbeTypes types) {
        this.types = types;
    }

    public RhidConfig load(Path file) throws ConfigException {
        String name = file.toString();
        Errors errors = new Errors(name);
        String text;
        try {
            if (Files.isDirectory(file)) {
                errors.atFile("cannot read: is a directory");
                throw new ConfigException(errors.sorted());
            }
            if (Files.size(file) > MAX_BYTES) {
                errors.atFile("cannot read: larger than " + (MAX_BYTES >> 20) + " MiB");
                throw new ConfigException(errors.sorted());
            }
            Optional<String> unsafe = Permissions.unsafeWrite(file);
            if (unsafe.isPresent()) {
                // Whoever can write the config can make rhid withdraw or announce any prefix.
                errors.atFile(unsafe.get());
                throw new ConfigException(errors.sorted());
            }
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            errors.atFile("cannot read: no such file");
            throw new ConfigException(errors.sorted());
        } catch (CharacterCodingException e) {
            errors.atFile("cannot read: not valid UTF-8");
            throw new ConfigException(errors.sorted());
        } catch (IOException e) {
            errors.atFile("cannot read: " + (e.getMessage() == null ? e.getClass().getSimpleName() : reason(e)));
            throw new ConfigException(errors.sorted());
        }
        return parse(file, text);
    }

    /** Validates {@code text} as if read from {@code file}. */
    public RhidConfig parse(Path file, String text) throws ConfigException {
        Errors errors = new Errors(file.toString());
        YamlNode root = YamlTree.parse(text, errors);
        RhidConfig config = root == null ? null : new ConfigBinder(errors, types, file).bind(root);
        if (config == null || errors.count() > 0) {
            throw new ConfigException(errors.sorted());
        }
        return config;
    }

    /**
     * Loads only what withdrawing needs ({@code router}, {@code addresses}, {@code state_dir}),
     * ignoring errors elsewhere, with no services. {@code rhid withdraw-all} uses it when the full
     * file does not load: after a crash, an operator's half-finished edit of a service must not
     * keep routes announced.
     */
    public RhidConfig loadForWithdrawal(Path file) throws ConfigException {
        try {
            return load(file);
        } catch (ConfigException e) {
            List<ConfigError> relevant = e.errors().stream().filter(ConfigLoader::mattersForWithdrawal).toList();
            if (!relevant.isEmpty()) {
                throw new ConfigException(relevant);
            }
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException io) {
                throw e;
            }
            Errors errors = new Errors(file.toString());
            YamlNode root = YamlTree.parse(text, errors);
            if (!(root instanceof YamlNode.Mapping m)) {
                throw e;
            }
            java.util.Map<String, YamlNode.Entry> kept = new java.util.LinkedHashMap<>();
            for (String key : List.of("router", "addresses", "state_dir")) {
                if (m.entries().containsKey(key)) {
                    kept.put(key, m.entries().get(key));
                }
            }
            Errors again = new Errors(file.toString());
            RhidConfig config = new ConfigBinder(again, types, file).bind(new YamlNode.Mapping(kept, m.line(), m.column()));
            if (config == null) {
                throw new ConfigException(again.sorted());
            }
            return config;
        }
    }

    private static boolean mattersForWithdrawal(ConfigError e) {
        String p = e.path();
        return e.line() == 0 || p.isEmpty() || p.startsWith("router") || p.startsWith("addresses") || p.startsWith("state_dir");
    }

    private static String reason(IOException e) {
        // AccessDeniedException and friends carry only the path as their message.
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage();
    }
}
