package io.rhid.agent.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The JSON and text line formats, the event fields, and when a stream counts as journald's. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LogSetupTest {

    @TempDir
    Path dir;

    @AfterEach
    void reset() {
        LogManager.getLogManager().reset();
    }

    private static String capture(LogSetup.Format format, Runnable logging) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LogSetup.configure("info", format, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        logging.run();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void json_lines_carry_the_event_fields_as_top_level_keys_only_while_they_are_set() throws IOException {
        Logger log = LoggerFactory.getLogger("io.rhid.test");
        String out = capture(LogSetup.Format.JSON, () -> {
            try (var f = LogFields.of("service", "web", "from", "up", "to", "down", "check", null)) {
                log.info("web: up -> down: {}", "timeout");
            }
            log.info("plain");
        });
        String[] lines = out.split("\n");
        assertThat(lines).hasSize(2);
        JsonNode event = new ObjectMapper().readTree(lines[0]);
        assertThat(event.get("message").asText()).isEqualTo("web: up -> down: timeout");
        assertThat(event.get("service").asText()).isEqualTo("web");
        assertThat(event.get("from").asText()).isEqualTo("up");
        assertThat(event.get("to").asText()).isEqualTo("down");
        assertThat(event.has("check")).as("a null value is left out").isFalse();
        JsonNode plain = new ObjectMapper().readTree(lines[1]);
        assertThat(plain.has("service")).as("fields end with their block").isFalse();
    }

    @Test
    void json_time_keeps_its_milliseconds_on_a_whole_second() {
        JsonFormatter f = new JsonFormatter(false);
        LogRecord r = new LogRecord(Level.INFO, "x");
        r.setInstant(java.time.Instant.parse("2026-11-21T10:00:19Z"));
        assertThat(f.format(r)).startsWith("{\"time\":\"2026-11-21T10:00:19.000Z\",\"level\":\"INFO\"");
    }

    @Test
    void under_journald_json_lines_and_every_line_of_a_stack_trace_carry_the_priority() {
        LogRecord r = new LogRecord(Level.SEVERE, "boom");
        r.setThrown(new IllegalStateException("inner"));
        assertThat(new JsonFormatter(true).format(r)).startsWith("<3>{\"time\":");
        String text = new TextFormatter(true).format(r);
        assertThat(text.lines()).hasSizeGreaterThan(2).allMatch(l -> l.startsWith("<3>"));
        assertThat(text).startsWith("<3>ERROR boom\n<3>java.lang.IllegalStateException: inner\n");
    }

    @Test
    void journal_stream_counts_only_when_it_names_the_stream_itself() throws IOException {
        Path stream = Files.createFile(dir.resolve("stderr"));
        long dev = ((Number) Files.getAttribute(stream, "unix:dev")).longValue();
        long ino = ((Number) Files.getAttribute(stream, "unix:ino")).longValue();
        assertThat(LogSetup.stderrIsJournal(dev + ":" + ino, stream)).isTrue();
        assertThat(LogSetup.stderrIsJournal(dev + ":" + (ino + 1), stream)).as("inherited, stderr redirected").isFalse();
        assertThat(LogSetup.stderrIsJournal(null, stream)).isFalse();
        assertThat(LogSetup.stderrIsJournal("garbage", stream)).isFalse();
    }
}
