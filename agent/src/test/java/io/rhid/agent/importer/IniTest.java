package io.rhid.agent.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** INI read with configparser's default rules. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class IniTest {

    @Test
    void inherits_defaults_lowercases_keys_and_lets_later_files_win() {
        Ini ini = new Ini();
        ini.builtIn(Ini.DEFAULT, "check_rise", "2");
        ini.read("a.conf", """
                [DEFAULT]
                Check_Interval : 10
                ; a comment
                # another
                [svc]
                check_cmd = /bin/true # not a comment
                ip_prefix=192.0.2.1
                """);
        ini.read("b.conf", "[svc]\nip_prefix = 192.0.2.2\n");
        assertThat(ini.problems()).isEmpty();
        assertThat(ini.sections()).containsExactly("svc");
        assertThat(ini.get("svc", "check_interval")).isEqualTo("10");
        assertThat(ini.get("svc", "check_rise")).isEqualTo("2");
        assertThat(ini.get("svc", "check_cmd")).isEqualTo("/bin/true # not a comment");
        assertThat(ini.get("svc", "ip_prefix")).isEqualTo("192.0.2.2");
        assertThat(ini.entry("svc", "ip_prefix").orElseThrow().origin()).isEqualTo(new Ini.Origin("b.conf", 2, 1));
    }

    @Test
    void continues_indented_lines_and_interpolates_references_and_percent_signs() {
        Ini ini = new Ini();
        ini.read("c.conf", """
                [svc]
                host = 127.0.0.1
                check_cmd = /usr/bin/curl
                    -w 100%%
                    http://%(host)s/
                bad = 50%
                """);
        assertThat(ini.get("svc", "check_cmd")).isEqualTo("/usr/bin/curl\n-w 100%\nhttp://127.0.0.1/");
        assertThatThrownBy(() -> ini.get("svc", "bad")).hasMessageContaining("'%' must be followed by '%' or '('");
    }

    @Test
    void reports_lines_it_cannot_read_and_duplicates_within_one_file() {
        Ini ini = new Ini();
        ini.read("d.conf", """
                orphan = 1
                [svc]
                key = 1
                KEY = 2
                just words
                [svc]
                """);
        assertThat(ini.problems()).extracting(Object::toString).containsExactly(
                "d.conf:1:1: file contains no section header before this line",
                "d.conf:4:1: [svc] key: already set in this section of this file",
                "d.conf:5:1: not a section header, a key = value line or a comment (found \"just words\")",
                "d.conf:6:1: section [svc] already exists in this file");
    }
}
