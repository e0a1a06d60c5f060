package io.rhid.agent.importer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Other tools' names made into unique rhid service names. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class NamesTest {

    @Test
    void lowercases_replaces_other_characters_and_numbers_duplicates() {
        Names names = new Names();
        assertThat(names.serviceName("foo.bar.com")).isEqualTo("foo-bar-com");
        assertThat(names.serviceName("Foo Bar_COM")).isEqualTo("foo-bar_com");
        assertThat(names.serviceName("FOO-bar-com")).isEqualTo("foo-bar-com-2");
        assertThat(names.serviceName("foo-bar-com")).isEqualTo("foo-bar-com-3");
        assertThat(names.serviceName("--..Über--")).isEqualTo("uber");
        assertThat(names.serviceName("!!!")).isEqualTo("service");
        String longName = names.serviceName("x".repeat(80));
        assertThat(longName).hasSize(63);
        assertThat(names.serviceName("x".repeat(70))).isEqualTo("x".repeat(61) + "-2");
    }
}
