package io.rhid.packaging.rpm;

import de.dentrassi.rpm.builder.signatures.SignatureConfiguration;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.eclipse.packager.rpm.RpmTag;
import org.eclipse.packager.rpm.build.BuilderOptions;
import org.eclipse.packager.rpm.build.RpmBuilder;
import org.eclipse.packager.rpm.header.Header;

/**
 * The rpm plugin's {@code signatureConfiguration} "rhid-changelog" (declared in
 * META-INF/plexus/components.xml): signs as the plugin's default does, and adds %changelog tags
 * from the Debian changelog the build staged next to the rpm ({@code target/root/usr/share/doc/
 * rhid/changelog.gz}), so both packages carry the same history. The plugin calls it once per
 * build, on the build's thread, after it set its own header customizer, which this one wraps.
 */
public class ChangelogSignatureConfiguration implements SignatureConfiguration {

    static final String STAGED_CHANGELOG = "root/usr/share/doc/rhid/changelog.gz";

    @Override
    public void applyOptions(BuilderOptions options) {
        // The default configuration changes no option either.
    }

    @Override
    public void applyBuilder(RpmBuilder builder) {
        builder.removeAllSignatureProcessors();
        builder.addDefaultSignatureProcessors();

        Path changelog = builder.getTargetFile().toAbsolutePath().getParent().resolve(STAGED_CHANGELOG);
        List<DebianChangelog.Entry> entries = DebianChangelog.parse(changelog.toString(), gunzip(changelog));
        String release = builder.getVersion().getRelease().orElse("1");
        int[] times = new int[entries.size()];
        String[] authors = new String[entries.size()];
        String[] texts = new String[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            DebianChangelog.Entry e = entries.get(i);
            times[i] = Math.toIntExact(e.date().getEpochSecond());
            authors[i] = e.author() + " - " + e.version() + "-" + release;
            texts[i] = e.rpmText();
        }
        Consumer<Header<RpmTag>> plugins = currentCustomizer(builder);
        builder.setHeaderCustomizer(header -> {
            if (plugins != null) {
                plugins.accept(header);
            }
            header.putInt(RpmTag.CHANGELOG_TIMESTAMP, times);
            header.putStringArray(RpmTag.CHANGELOG_AUTHOR, authors);
            header.putStringArray(RpmTag.CHANGELOG_TEXT, texts);
        });
    }

    /** The plugin's own customizer (build time, prefixes): RpmBuilder has a setter but no getter. */
    @SuppressWarnings("unchecked")
    private static Consumer<Header<RpmTag>> currentCustomizer(RpmBuilder builder) {
        try {
            Field f = RpmBuilder.class.getDeclaredField("headerCustomizer");
            f.setAccessible(true);
            return (Consumer<Header<RpmTag>>) f.get(builder);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("packager-rpm changed: no RpmBuilder.headerCustomizer to keep", e);
        }
    }

    private static String gunzip(Path file) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the staged changelog " + file + " (BuildDocs writes it)", e);
        }
    }
}
