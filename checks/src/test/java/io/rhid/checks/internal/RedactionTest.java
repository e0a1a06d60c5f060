package io.rhid.checks.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RedactionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            http://admin:hunter2@h/health?token=x          | http://***@h/health?token=***
            http://127.0.0.1:8080/healthz                  | http://127.0.0.1:8080/healthz
            https://user@[::1]:8443/a/b?x=1&y=2&z          | https://***@[::1]:8443/a/b?x=***&y=***&***
            http://h?k=                                    | http://h?k=***
            http://h/p#access_token=abc                    | http://h/p#***
            http://h/p?a=1#f                               | http://h/p?a=***#***
            http://a:b@c@h:80                              | http://***@h:80
            http://h/path@not-userinfo                     | http://h/path@not-userinfo
            /usr/local/bin/check                           | /usr/local/bin/check
            """)
    void hides_userinfo_and_query_and_fragment_values(String url, String shown) {
        assertThat(Redaction.url(url)).isEqualTo(shown);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            unexpected end of stream on http://u:p@h/x?t=1 | unexpected end of stream on http://***@h/x?t=***
            redirect to "https://h/login?session=s3cret"  | redirect to "https://h/login?session=***"
            status 503                                      | status 503
            """)
    void redacts_every_url_inside_a_text(String text, String shown) {
        assertThat(Redaction.urlsIn(text)).isEqualTo(shown);
    }
}
