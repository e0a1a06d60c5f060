package io.rhid.checks.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ReasonsTest {

    @ParameterizedTest
    @CsvSource({
        "PT0S, 0ms",
        "PT0.0005S, 0.5ms",
        "PT0.25S, 250ms",
        "PT1S, 1s",
        "PT1.5S, 1.5s",
        "PT1.25S, 1.25s",
        "PT30S, 30s",
        "PT90S, 90s",
        "PT2M, 2m",
        "PT1H, 1h",
        "PT1H30M, 90m",
    })
    void formats_durations_the_way_the_config_writes_them(Duration duration, String text) {
        assertThat(Reasons.duration(duration)).isEqualTo(text);
    }

    @Test
    void names_the_timeout() {
        assertThat(Reasons.timeout(Duration.ofMillis(500))).isEqualTo("timeout after 500ms");
    }

    @Test
    void maps_io_failures_to_short_reasons() {
        Duration timeout = Duration.ofSeconds(1);
        assertThat(Reasons.io(new SocketTimeoutException("Read timed out"), timeout)).isEqualTo("timeout after 1s");
        assertThat(Reasons.io(new InterruptedIOException("timeout"), timeout)).isEqualTo("timeout after 1s");
        ConnectException refused = new ConnectException("Failed to connect to /127.0.0.1:1");
        refused.initCause(new ConnectException("Connection refused"));
        assertThat(Reasons.io(refused, timeout)).isEqualTo("connect refused");
        assertThat(Reasons.io(new SocketException("Connection reset"), timeout)).isEqualTo("connection reset");
        assertThat(Reasons.io(new IOException("unexpected end of stream on http://x/..."), timeout))
                .isEqualTo("unexpected end of stream");
        assertThat(Reasons.io(new EOFException(), timeout)).isEqualTo("unexpected end of stream");
        assertThat(Reasons.io(new SSLPeerUnverifiedException("Hostname a not verified:\n certificate: sha256/x"), timeout))
                .isEqualTo("tls: Hostname a not verified");
        assertThat(Reasons.io(new SSLHandshakeException("Received fatal alert: handshake_failure"), timeout))
                .isEqualTo("tls: Received fatal alert: handshake_failure");
        assertThat(Reasons.io(new ClosedChannelException(), timeout)).isEqualTo("connection closed");
        assertThat(Reasons.io(new AsynchronousCloseException(), timeout)).isEqualTo("connection closed");
        assertThat(Reasons.io(new SocketException("Socket closed"), timeout)).isEqualTo("connection closed");
        assertThat(Reasons.io(new IOException("weird"), timeout)).isEqualTo("IOException: weird");
    }

    @Test
    void keeps_the_first_non_blank_line_and_cuts_it() {
        assertThat(Reasons.firstLine("\n  \n  first  \nsecond")).isEqualTo("first");
        assertThat(Reasons.firstLine("x".repeat(300))).hasSize(Reasons.MAX_TEXT).endsWith("...");
        assertThat(Reasons.firstLine("")).isEmpty();
    }

    @Test
    void quotes_and_escapes() {
        assertThat(Reasons.quote("a\"b\\c\n\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\"");
    }
}
