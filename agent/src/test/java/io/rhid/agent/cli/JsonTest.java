package io.rhid.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.rhid.agent.status.StatusJson;
import io.rhid.agent.status.StatusSnapshot;
import io.rhid.agent.testing.Snapshots;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The client's JSON reads and prints what Jackson reads and prints. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class JsonTest {

    static String jacksonPretty(String json) throws Exception {
        JsonNode tree = StatusJson.mapper().readTree(json);
        return StatusJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(tree);
    }

    @Test
    void the_status_document_prints_as_jackson_prints_it_and_binds_to_the_same_snapshot() throws Exception {
        String json = StatusJson.mapper().writeValueAsString(Snapshots.sample());
        Object tree = Json.parse(json);
        assertThat(Json.pretty(tree)).isEqualTo(jacksonPretty(json));
        assertThat(StatusDocument.snapshot((Map<?, ?>) tree)).isEqualTo(Snapshots.sample());
    }

    @Test
    void a_snapshot_with_nulls_and_empty_lists_binds_as_jackson_binds_it() throws Exception {
        StatusSnapshot sparse = new StatusSnapshot("0.1.0", 1, "/c.yaml",
                List.of(new StatusSnapshot.Service("web", "down", 0, null, "all", List.of(), List.of())),
                List.of(new StatusSnapshot.Announced("203.0.113.80/32", "up", List.of("web"), List.of(), List.of(), null, 0)),
                null, StatusSnapshot.Exports.UNKNOWN);
        String json = StatusJson.mapper().writeValueAsString(sparse);
        assertThat(StatusDocument.snapshot((Map<?, ?>) Json.parse(json)))
                .isEqualTo(StatusJson.mapper().readValue(json, StatusSnapshot.class));
        assertThat(Json.pretty(Json.parse(json))).isEqualTo(jacksonPretty(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{}", "[]", "[{}]", "{\"a\":[]}", "{\"a\":{}}", "[[1,[2,{}]],{\"b\":[[]]}]", "null", "true", "\"x\"",
            "[0,-0,1.5,-2.25e-7,1E300,12.3,100.0,1e2,9223372036854775807,9223372036854775808,-9223372036854775809,2147483648]",
            "{\"s\":\"quote \\\" backslash \\\\ slash \\/ tab \\t nl \\n cr \\r bs \\b ff \\f nul \\u0000 us \\u001f del \\u007f\"}",
            "{\"u\":\"é ü 😀 \\u00e9 \\ud83d\\ude00 \\u2028\"}",
            "{\"dup\":1,\"other\":2,\"dup\":3}",
            " { \"spaced\" : [ 1 , 2 ] , \"n\" : null } "})
    void documents_print_as_jackson_prints_them(String json) throws Exception {
        assertThat(Json.pretty(Json.parse(json))).isEqualTo(jacksonPretty(json));
    }

    @Test
    void a_request_is_what_the_server_reads() throws Exception {
        String request = ControlClient.request("drain", List.of("dns", "we\"b\n"), true);
        assertThat(request).isEqualTo("{\"command\":\"drain\",\"services\":[\"dns\",\"we\\\"b\\n\"],\"all\":true}");
        assertThat(StatusJson.mapper().readTree(request).path("services").get(1).asText()).isEqualTo("we\"b\n");
        assertThat(ControlClient.request("status", List.of(), false)).isEqualTo("{\"command\":\"status\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "-", "tru", "\"\\x\"", "\"a\nb\"",
            "{} x", "\"\\u12\"", "[1 2]"})
    void what_is_not_json_is_refused(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not JSON at offset ");
    }

    @Test
    void nesting_is_bounded() {
        String deep = "[".repeat(Json.MAX_DEPTH + 2) + "]".repeat(Json.MAX_DEPTH + 2);
        assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nested deeper than");
        String fine = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(fine)).isInstanceOf(List.class);
    }
}
