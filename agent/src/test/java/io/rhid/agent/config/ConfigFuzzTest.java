package io.rhid.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.rhid.agent.cli.InProcessCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random mutations of the example configs, fed to {@code rhid check-config} in-process:
 * whatever the bytes, it answers with 0 or with 78 and one {@code FILE[:LINE:COL]: message} line
 * per error, never with an internal error or a stack trace. Reproduce a failure with
 * {@code -Drhid.fuzz.seed=SEED -Drhid.fuzz.cases=N}; the failing case's text is in the message.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConfigFuzzTest {

    private static final Path EXAMPLES = Path.of("../examples");
    private static final long SEED = Long.getLong("rhid.fuzz.seed", 0x5EED_F00DL);
    private static final int CASES = Integer.getInteger("rhid.fuzz.cases", 1000);

    /** Characters that mean something to YAML, plus ordinary ones to make plausible tokens. */
    private static final String HOSTILE = ":-{}[]\"'&*!%@#|>\t\n ,?~=\\/.0123456789abcxyzABC_";
    private static final String[] SPECIAL = {
        "\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u00a0", "\u2028", "\u2029", "\ufeff", "\ufffe",
        "\u202e", "é", "ß", "日本", "\uD83D\uDE00", "\r", "\r\n", "\u000b", "\u000c",
    };
    private static final String[] TOKENS = {
        "99999999999999999999999999", "-99999999999999999999", "1e999", "-1e-999", "0x7fffffffffffffff",
        "9223372036854775808", "4294967296", "-0", ".inf", "-.nan", "0o777", "1_000", "2147483648ms",
        "9999999999999999999s", "1.5e300h", "0ms", "-5s", "~", "null", "yes", "on", "NO", "''", "\"\"",
        "&a", "*a", "<<: *a", "!!binary", "!!python/object:os.system", "!tag", "? ", "---", "...", "%YAML 1.2",
        "{", "}", "[", "]", "[[[[[[[[", "{{{{{{{{", ": :", "- -", "|", ">-", "\"\\u12\"", "\"\\x\"", "'''",
        "key: value", "services: {}", "checks: []", "prefixes: [0.0.0.0/0]", "- { type: exec, command: [sh] }",
        "198.51.100.0/33", "::/0", "2001:db8::/129", "256.1.1.1/32", "interval: 0ms", "rise: 101",
    };
    private static final Pattern SUMMARY = Pattern.compile("^\\d+ errors?$");

    @TempDir
    Path dir;

    record Outcome(int exit, String out, String err) {
    }

    @Test
    void check_config_survives_a_thousand_mutated_examples() throws IOException {
        List<String> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                sources.add(Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        assertThat(sources).isNotEmpty();

        SplittableRandom random = new SplittableRandom(SEED);
        InProcessCli cli = new InProcessCli();
        Map<Integer, Integer> exits = new TreeMap<>();
        int invalidUtf8 = 0;
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < CASES; i++) {
            String text = sources.get(random.nextInt(sources.size()));
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                text = mutate(text, random);
            }
            Path file = dir.resolve("case-" + i + ".yaml");
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (random.nextInt(50) == 0 && bytes.length > 0) {
                // Now and then bytes that are not UTF-8 at all.
                bytes = Arrays.copyOf(bytes, bytes.length);
                bytes[random.nextInt(bytes.length)] = (byte) (0x80 | random.nextInt(0x40));
                invalidUtf8++;
            }
            Files.write(file, bytes);
            InProcessCli.Run r = cli.run("check-config", "-c", file.toString());
            String context = "case " + i + " (seed " + SEED + "), input:\n" + new String(bytes, StandardCharsets.UTF_8)
                    + "\n--- stdout:\n" + r.out() + "\n--- stderr:\n" + r.err();
            try {
                verify(file, r, context);
            } catch (AssertionError e) {
                failures.add(e.getMessage());
            }
            exits.merge(r.exit(), 1, Integer::sum);
            Files.delete(file);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("ConfigFuzzTest: seed %d, %d cases (%d with invalid UTF-8) in %d ms, exit codes %s%n", SEED,
                CASES, invalidUtf8, millis, exits);
        assertThat(failures).as("%d of %d cases failed; the first ones:%n%s", failures.size(), CASES,
                String.join("\n=====\n", failures.subList(0, Math.min(5, failures.size())))).isEmpty();
        assertThat(exits.keySet()).isSubsetOf(0, 78);
        // Most mutations break something; a fuzzer that only produced valid files would test little.
        assertThat(exits.getOrDefault(78, 0)).isGreaterThan(CASES / 2);
    }

    private static void verify(Path file, InProcessCli.Run r, String context) {
        String all = r.out() + r.err();
        assertThat(all).as(context).doesNotContain("internal error").doesNotContainPattern("(?m)^\\s+at [\\w$.]+\\(")
                .doesNotContain("Exception");
        assertThat(r.exit()).as(context).isIn(0, 78);
        if (r.exit() == 0) {
            assertThat(r.err()).as(context).isEmpty();
            assertThat(r.out()).as(context).startsWith(file + ": ok: ").endsWith("\n").hasLineCount(1);
            return;
        }
        assertThat(r.out()).as(context).isEmpty();
        List<String> lines = r.err().lines().toList();
        assertThat(lines).as(context).hasSizeGreaterThanOrEqualTo(2);
        Pattern errorLine = Pattern.compile("^" + Pattern.quote(file.toString()) + "(:\\d+:\\d+)?: .+$");
        for (String line : lines.subList(0, lines.size() - 1)) {
            assertThat(line).as(context).matches(errorLine);
        }
        String summary = lines.get(lines.size() - 1);
        assertThat(summary).as(context).matches(SUMMARY);
        int n = lines.size() - 1;
        assertThat(summary).as(context).isEqualTo(n == 1 ? "1 error" : n + " errors");
    }

    /** One random edit of {@code text}. */
    static String mutate(String text, SplittableRandom random) {
        int len = text.length();
        int at = len == 0 ? 0 : random.nextInt(len + 1);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        switch (random.nextInt(11)) {
            case 0 -> { // delete a few characters
                int end = Math.min(len, at + 1 + random.nextInt(6));
                return text.substring(0, at) + text.substring(end);
            }
            case 1 -> { // insert hostile characters
                return text.substring(0, at) + hostile(random, 1 + random.nextInt(5)) + text.substring(at);
            }
            case 2 -> { // replace characters
                int end = Math.min(len, at + 1 + random.nextInt(3));
                return text.substring(0, at) + hostile(random, end - at) + text.substring(end);
            }
            case 3 -> { // duplicate a line
                int i = random.nextInt(lines.size());
                lines.add(i, lines.get(i));
                return String.join("\n", lines);
            }
            case 4 -> { // swap two lines
                int i = random.nextInt(lines.size());
                int j = random.nextInt(lines.size());
                String t = lines.get(i);
                lines.set(i, lines.get(j));
                lines.set(j, t);
                return String.join("\n", lines);
            }
            case 5 -> { // truncate
                return text.substring(0, at);
            }
            case 6 -> { // unicode and control characters
                return text.substring(0, at) + SPECIAL[random.nextInt(SPECIAL.length)] + text.substring(at);
            }
            case 7 -> { // a YAML-significant or out-of-range token
                return text.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + text.substring(at);
            }
            case 8 -> { // replace a number with a huge or odd one
                var m = Pattern.compile("\\d+").matcher(text);
                List<int[]> spans = new ArrayList<>();
                while (m.find()) {
                    spans.add(new int[] {m.start(), m.end()});
                }
                if (spans.isEmpty()) {
                    return text;
                }
                int[] s = spans.get(random.nextInt(spans.size()));
                String big = random.nextBoolean() ? "9".repeat(1 + random.nextInt(40)) : TOKENS[random.nextInt(12)];
                return text.substring(0, s[0]) + big + text.substring(s[1]);
            }
            case 9 -> { // change a line's indentation
                int i = random.nextInt(lines.size());
                String line = lines.get(i);
                lines.set(i, random.nextBoolean() ? " ".repeat(1 + random.nextInt(4)) + line : line.stripLeading());
                return String.join("\n", lines);
            }
            default -> { // delete a line
                if (lines.size() > 1) {
                    lines.remove(random.nextInt(lines.size()));
                }
                return String.join("\n", lines);
            }
        }
    }

    private static String hostile(SplittableRandom random, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(HOSTILE.charAt(random.nextInt(HOSTILE.length())));
        }
        return s.toString();
    }
}
