package io.rhid.agent.status;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON form of a {@link StatusSnapshot}, shared by {@code GET /status}, the control
 * socket's {@code status} reply and {@code rhid status --json}: record components in snake_case,
 * nulls kept (so every key is always present), times as epoch milliseconds ({@code 0}: never).
 * Reading ignores unknown keys, so a newer daemon's extra fields do not break an older CLI.
 */
public final class StatusJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private StatusJson() {
    }

    /** The configured mapper; thread-safe, do not reconfigure. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
