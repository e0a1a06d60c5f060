package io.rhid.agent.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A benchmark's section of the results file: a heading, a Markdown table and notes, written to
 * {@code target/bench/NAME.md} (examples/bench/run.sh collects the sections) and printed.
 */
final class BenchReport {

    private final String name;
    private final StringBuilder text = new StringBuilder();

    BenchReport(String name, String heading) {
        this.name = name;
        text.append("## ").append(heading).append("\n\n");
    }

    BenchReport paragraph(String s) {
        text.append(s).append("\n\n");
        return this;
    }

    BenchReport table(List<String> header, List<List<String>> rows) {
        text.append("| ").append(String.join(" | ", header)).append(" |\n|");
        header.forEach(h -> text.append("---|"));
        text.append('\n');
        for (List<String> row : rows) {
            text.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        text.append('\n');
        return this;
    }

    void write() {
        Path dir = Path.of("target", "bench");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".md"), text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println(text);
    }

    static List<String> row(String... cells) {
        return new ArrayList<>(List.of(cells));
    }
}
