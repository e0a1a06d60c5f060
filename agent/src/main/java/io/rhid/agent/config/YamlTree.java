package io.rhid.agent.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML text into a located {@link YamlNode} tree with Jackson's streaming YAML parser.
 *
 * <p>Jackson's data binding stops at the first problem and forgets positions; rhid reports every
 * problem with its line and column, so it keeps the parser's positions in its own tree. Duplicate
 * keys and aliases are reported here; syntax errors end parsing with one error.
 */
final class YamlTree {

    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1 << 20).build())
            .build();

    private final Errors errors;
    private YAMLParser parser;

    private YamlTree(Errors errors) {
        this.errors = errors;
    }

    /** Parses {@code text}; returns the root, or null when the text has no usable document. */
    static YamlNode parse(String text, Errors errors) {
        return new YamlTree(errors).read(text);
    }

    private YamlNode read(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            parser = (YAMLParser) p;
            JsonToken first = parser.nextToken();
            if (first == null) {
                errors.atFile("is empty; expected a mapping with router and services");
                return null;
            }
            YamlNode root = value(first, "");
            JsonToken next = parser.nextToken();
            if (next != null) {
                JsonLocation at = parser.currentTokenLocation();
                errors.at(at.getLineNr(), at.getColumnNr(), "", "holds more than one YAML document; put everything in one");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String message = "YAML syntax error: " + firstLine(e.getOriginalMessage());
            if (at == null) {
                errors.atFile(message);
            } else {
                errors.at(at.getLineNr(), Math.max(at.getColumnNr(), 1), "", message);
            }
            return null;
        } catch (IOException | RuntimeException e) {
            // snakeyaml reports some malformed input (bad escapes, illegal characters) with
            // unchecked exceptions that carry no position.
            errors.atFile("YAML syntax error: " + firstLine(String.valueOf(e.getMessage())));
            return null;
        }
    }

    private YamlNode value(JsonToken token, String path) throws IOException {
        JsonLocation at = parser.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        if (parser.isCurrentAlias()) {
            errors.at(line, column, path, "YAML aliases are not supported; repeat the value or use defaults");
            return new YamlNode.Scalar(parser.getText(), YamlNode.Kind.REPORTED, line, column);
        }
        return switch (token) {
            case START_OBJECT -> mapping(path, line, column);
            case START_ARRAY -> sequence(path, line, column);
            case VALUE_STRING -> new YamlNode.Scalar(parser.getText(), YamlNode.Kind.STRING, line, column);
            case VALUE_NUMBER_INT -> new YamlNode.Scalar(parser.getText(), YamlNode.Kind.INTEGER, line, column);
            case VALUE_NUMBER_FLOAT -> new YamlNode.Scalar(parser.getText(), YamlNode.Kind.FLOAT, line, column);
            case VALUE_TRUE, VALUE_FALSE -> new YamlNode.Scalar(parser.getText(), YamlNode.Kind.BOOLEAN, line, column);
            case VALUE_NULL -> new YamlNode.Scalar("", YamlNode.Kind.NULL, line, column);
            default -> throw new IllegalStateException("unexpected YAML token " + token + " at " + line + ":" + column);
        };
    }

    private YamlNode mapping(String path, int line, int column) throws IOException {
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            JsonLocation keyAt = parser.currentTokenLocation();
            String childPath = Errors.child(path, key);
            YamlNode child = value(parser.nextToken(), childPath);
            YamlNode.Entry first = entries.get(key);
            if (first != null) {
                errors.at(keyAt.getLineNr(), keyAt.getColumnNr(), childPath,
                        "duplicate key (first at line " + first.line() + ")");
                continue;
            }
            entries.put(key, new YamlNode.Entry(key, keyAt.getLineNr(), keyAt.getColumnNr(), child));
        }
        if (token != JsonToken.END_OBJECT) {
            throw new IllegalStateException("unexpected YAML token " + token + " in mapping at " + line + ":" + column);
        }
        return new YamlNode.Mapping(entries, line, column);
    }

    private YamlNode sequence(String path, int line, int column) throws IOException {
        List<YamlNode> items = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw new IllegalStateException("unterminated YAML sequence at " + line + ":" + column);
            }
            items.add(value(token, Errors.index(path, items.size())));
        }
        return new YamlNode.Sequence(items, line, column);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable input";
        }
        String trimmed = message.strip();
        int nl = trimmed.indexOf('\n');
        return nl < 0 ? trimmed : trimmed.substring(0, nl).strip();
    }
}
