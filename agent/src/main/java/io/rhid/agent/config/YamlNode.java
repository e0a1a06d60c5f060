package io.rhid.agent.config;

import java.util.List;
import java.util.Map;

/**
 * A YAML value with the line and column where it starts: the located tree that config binding
 * reads, so every error can name its place in the file.
 */
sealed interface YamlNode permits YamlNode.Scalar, YamlNode.Mapping, YamlNode.Sequence {

    int line();

    int column();

    /** What was found, for messages: {@code 2}, {@code "2"}, {@code true}, {@code a mapping}. */
    String describe();

    /**
     * How a scalar was written: a quoted or plain string, a plain number or boolean, or nothing.
     * {@code REPORTED} stands for a value already reported as an error (an alias); readers treat it
     * as absent so it is not reported twice.
     */
    enum Kind { STRING, INTEGER, FLOAT, BOOLEAN, NULL, REPORTED }

    record Scalar(String text, Kind kind, int line, int column) implements YamlNode {
        @Override
        public String describe() {
            return switch (kind) {
                case STRING -> '"' + text + '"';
                case NULL, REPORTED -> "nothing";
                default -> text;
            };
        }
    }

    /** A key of a mapping, with its own position, and its value. */
    record Entry(String key, int line, int column, YamlNode value) {
    }

    /** A mapping in file order; keys are unique (duplicates are reported while parsing). */
    record Mapping(Map<String, Entry> entries, int line, int column) implements YamlNode {
        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Sequence(List<YamlNode> items, int line, int column) implements YamlNode {
        @Override
        public String describe() {
            return "a sequence";
        }
    }
}
