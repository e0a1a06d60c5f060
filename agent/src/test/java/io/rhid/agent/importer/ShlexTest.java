package io.rhid.agent.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Word splitting as Python's shlex.split does it, which both tools rely on. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ShlexTest {

    @Test
    void splits_on_whitespace_and_honours_quotes_and_escapes() {
        assertThat(Shlex.split("  /usr/bin/curl --fail\t'http://[::1]:80/a b'  ")).containsExactly("/usr/bin/curl", "--fail", "http://[::1]:80/a b");
        assertThat(Shlex.split("a\"b c\"d 'it'\\''s' \"\\\"q\\\" \\$x\" e\\ f")).containsExactly("ab cd", "it's", "\"q\" \\$x", "e f");
        assertThat(Shlex.split("x '' \"\"")).containsExactly("x", "", "");
        assertThat(Shlex.split("   ")).isEmpty();
    }

    @Test
    void refuses_unclosed_quotes_and_a_trailing_backslash() {
        assertThatThrownBy(() -> Shlex.split("curl 'http://x")).hasMessage("no closing quotation");
        assertThatThrownBy(() -> Shlex.split("curl \"http://x")).hasMessage("no closing quotation");
        assertThatThrownBy(() -> Shlex.split("curl \\")).hasMessage("no escaped character");
    }

    @ParameterizedTest
    @ValueSource(strings = {"plain", "two words", "it's", "\"dq\"", "", "a\\b", "$HOME", "tab\there", "x'y\"z"})
    void quotes_words_so_they_split_back_the_same(String word) {
        assertThat(Shlex.split(Shlex.join(List.of(word, "next")))).containsExactly(word, "next");
    }
}
