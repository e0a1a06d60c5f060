package io.rhid.packaging.rpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DebianChangelogTest {

    static final String TWO = """
            rhid (0.2.0) unstable; urgency=medium

              * Second: a long item that
                continues here.
              * Another.

             -- A Maintainer <a@example.org>  Fri, 01 Jan 2027 12:00:00 +0100

            rhid (0.1.0) unstable; urgency=low

              * First.

             -- B <b@example.org>  Thu, 03 Dec 2026 06:00:00 +0000
            """;

    @Test
    void parses_entries_newest_first_with_author_date_and_items() {
        List<DebianChangelog.Entry> entries = DebianChangelog.parse("changelog", TWO);
        assertThat(entries).extracting(DebianChangelog.Entry::version).containsExactly("0.2.0", "0.1.0");
        assertThat(entries.get(0).author()).isEqualTo("A Maintainer <a@example.org>");
        assertThat(entries.get(0).date()).isEqualTo(Instant.parse("2027-01-01T11:00:00Z"));
        assertThat(entries.get(0).rpmText()).isEqualTo("- Second: a long item that\n  continues here.\n- Another.");
        assertThat(entries.get(1).rpmText()).isEqualTo("- First.");
    }

    @Test
    void the_packaged_changelog_parses() throws IOException {
        String text = Files.readString(Path.of("../src/changelog"));
        List<DebianChangelog.Entry> entries = DebianChangelog.parse("changelog", text);
        assertThat(entries).isNotEmpty();
        assertThat(entries.get(0).rpmText()).startsWith("- ");
    }

    @Test
    void an_entry_without_its_trailer_is_an_error_naming_the_version() {
        assertThatThrownBy(() -> DebianChangelog.parse("changelog", "rhid (1.0) unstable; urgency=low\n\n  * x\n"))
                .hasMessage("changelog: the entry for 1.0 has no ' -- NAME <MAIL>  DATE' line");
    }

    @Test
    void a_bad_date_is_an_error_naming_the_line() {
        assertThatThrownBy(() -> DebianChangelog.parse("changelog", "rhid (1.0) unstable; urgency=low\n\n  * x\n\n -- A <a@b>  yesterday\n"))
                .hasMessage("changelog:5: not an RFC 2822 date: yesterday");
    }
}
