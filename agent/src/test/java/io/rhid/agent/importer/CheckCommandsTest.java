package io.rhid.agent.importer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which commands become native checks, and with what fields. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CheckCommandsTest {

    private static String converted(String command) {
        Draft.Check c = CheckCommands.convert(Shlex.split(command), "cmd", command, Duration.ofSeconds(2), Importing.PROGRAMS,
                new Findings(), "test");
        return YamlWriter.inline(c.fields);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "curl -fsS http://127.0.0.1/health | { type: http, url: \"http://127.0.0.1/health\", expect_status: [200-399] }",
            "/usr/bin/curl -sfo /dev/null -m 1.5 127.0.0.1:8080/ | { type: http, url: \"http://127.0.0.1:8080/\", expect_status: [200-399], timeout: 1500ms }",
            "curl -k -L -I https://[2001:db8::1]/ | { type: http, url: \"https://[2001:db8::1]/\", method: HEAD, expect_status: [100-599], tls_verify: false, follow_redirects: true }",
            "curl --fail -H 'Host: a.example' -X OPTIONS -A probe http://127.0.0.1/ | { type: http, url: \"http://127.0.0.1/\", method: OPTIONS, headers: { Host: a.example, User-Agent: probe }, expect_status: [200-399] }",
            "curl -m 5 http://127.0.0.1/ | { type: http, url: \"http://127.0.0.1/\", expect_status: [100-599] }",
            "nc -zv 127.0.0.1 53 | { type: tcp, address: \"127.0.0.1:53\" }",
            "/bin/nc -z -w2 ::1 443 | { type: tcp, address: \"[::1]:443\" }",
            "ncat -z localhost 80 | { type: tcp, address: \"localhost:80\" }",
            "dig @127.0.0.1 health.example. +short | { type: dns, server: \"127.0.0.1:53\", name: health.example., record: A }",
            "dig -p 5353 @::1 -t aaaa example.org +tcp | { type: dns, server: \"[::1]:5353\", name: example.org, record: AAAA, tcp: true }",
    })
    void recognises_curl_nc_and_dig(String command, String expected) {
        assertThat(converted(command)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "curl --retry 3 http://127.0.0.1/",
            "curl -d x=1 http://127.0.0.1/",
            "curl -o /tmp/out http://127.0.0.1/",
            "curl ftp://127.0.0.1/",
            "curl http://127.0.0.1/ http://127.0.0.2/",
            "nc 127.0.0.1 53",
            "nc -zu 127.0.0.1 53",
            "nc -z db.example 5432",
            "nc -z 127.0.0.1 80-90",
            "dig health.example.",
            "dig @ns.example health.example.",
            "dig @127.0.0.1 health.example. +norecurse",
            "dig @127.0.0.1 health.example. AXFR",
    })
    void leaves_anything_with_no_native_equivalent_to_exec(String command) {
        assertThat(converted(command)).isEqualTo("{ type: exec, command: [/bin/false] }");
    }

    @Test
    void runs_a_program_rhid_accepts_and_keeps_the_command_as_a_comment() {
        Findings findings = new Findings();
        Draft.Check c = CheckCommands.convert(List.of("/usr/bin/test", "-e", "/run/ready"), "check_cmd",
                "/usr/bin/test -e /run/ready", Duration.ofSeconds(1), Importing.PROGRAMS, findings, "here");
        assertThat(YamlWriter.inline(c.fields)).isEqualTo("{ type: exec, command: [/usr/bin/test, \"-e\", /run/ready] }");
        assertThat(c.comments).containsExactly("check_cmd: /usr/bin/test -e /run/ready");
        assertThat(findings.warnings()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "curl -sf http://127.0.0.1/ | false",
            "pgrep nginx >/dev/null | true",
            "test -f /run/a && test -f /run/b | true",
            "curl -sf http://[::1]/ | false",
            "FOO=1 /bin/check | true",
            "ls /run/*.pid | true",
            "echo $HOME | true",
    })
    void sends_exabgp_commands_with_shell_syntax_through_sh(String command, boolean shell) {
        assertThat(ExabgpHealthcheck.needsShell(command)).isEqualTo(shell);
    }
}
