package io.rhid.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * examples/rhid.yaml claims to show every key: every key the README's config reference and
 * check-type table document appears in it, set or (where setting it would change behaviour for
 * the worse, like {@code birdc}) as a commented line {@code # key: value}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ExampleCoversEveryKeyTest {

    private static final Path README = Path.of("../README.md");
    private static final Path EXAMPLE = Path.of("../examples/rhid.yaml");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    @Test
    void every_documented_key_appears_in_the_full_example() throws IOException {
        String example = Files.readString(EXAMPLE);
        JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(example);
        Set<String> present = new TreeSet<>();
        Map<String, Set<String>> checkKeys = new HashMap<>();
        walk(tree, "", present, checkKeys);

        List<String> missing = new ArrayList<>();
        for (String key : documentedKeys()) {
            String last = key.substring(key.lastIndexOf('.') + 1);
            boolean anyState = key.startsWith("services.NAME.announce.up.") && List.of("up", "degraded", "draining").stream()
                    .anyMatch(st -> present.contains(key.replace(".announce.up.", ".announce." + st + ".")));
            if (!present.contains(key) && !anyState && !commented(example, last)) {
                missing.add(key);
            }
        }
        documentedCheckKeys().forEach((type, keys) -> {
            for (String key : keys) {
                if (!checkKeys.getOrDefault(type, Set.of()).contains(key) && !commented(example, key)) {
                    missing.add("checks[] of type " + type + ": " + key);
                }
            }
        });
        assertThat(missing).as("documented in README.md but missing from examples/rhid.yaml").isEmpty();
    }

    @Test
    void the_readme_tables_are_found() throws IOException {
        assertThat(documentedKeys()).contains("router.bird.include_file", "flap.hold", "services.NAME.drain_hold",
                "services.NAME.announce.draining", "services.NAME.announce.up.large_communities", "status.allow_remote");
        assertThat(documentedCheckKeys()).containsKeys("http", "tcp", "dns", "exec", "file");
        assertThat(documentedCheckKeys().get("tcp")).contains("address", "send", "expect");
    }

    private static boolean commented(String example, String key) {
        return Pattern.compile("(?m)^\\s*#\\s*(- )?" + Pattern.quote(key) + ":").matcher(example).find();
    }

    /** Paths as the README writes them: services.NAME.x; check keys are collected per type. */
    private static void walk(JsonNode node, String path, Set<String> out, Map<String, Set<String>> checkKeys) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                String key = path.equals("services") ? "NAME" : e.getKey();
                String p = path.isEmpty() ? key : path + "." + key;
                out.add(p);
                if (e.getKey().equals("checks") && e.getValue().isArray()) {
                    for (JsonNode check : e.getValue()) {
                        Set<String> keys = checkKeys.computeIfAbsent(check.path("type").asText(), t -> new TreeSet<>());
                        check.fieldNames().forEachRemaining(keys::add);
                    }
                } else {
                    walk(e.getValue(), p, out, checkKeys);
                }
            });
        }
    }

    /** The first column of the "Config reference" table, expanded. */
    static Set<String> documentedKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        for (String row : tableRows(section("## Config reference"))) {
            String cell = row.split("\\|")[1];
            String parent = null;
            Matcher m = CODE.matcher(cell);
            while (m.find()) {
                String token = m.group(1).replace("[]", "");
                if (token.endsWith(".*")) {
                    break; // documented in a section of its own
                }
                if (parent == null) {
                    parent = token.contains(".") ? token.substring(0, token.lastIndexOf('.') + 1) : "";
                } else if (!token.contains(".")) {
                    token = parent + token;
                }
                String base = token.substring(0, token.lastIndexOf('.') + 1);
                for (String last : token.substring(token.lastIndexOf('.') + 1).split("/")) {
                    keys.add(base + last);
                }
            }
            if (cell.contains("`services.NAME.announce.")) {
                // The attributes a state may set are listed in the meaning column.
                Matcher attr = CODE.matcher(row.split("\\|")[3]);
                while (attr.find()) {
                    if (attr.group(1).matches("[a-z_]+")) {
                        keys.add("services.NAME.announce.up." + attr.group(1));
                    }
                }
            }
        }
        return keys;
    }

    /** The "Check types" table: type -> its keys (code spans outside parentheses). */
    static Map<String, Set<String>> documentedCheckKeys() throws IOException {
        Map<String, Set<String>> out = new HashMap<>();
        for (String row : tableRows(section("### Check types"))) {
            String[] cells = row.split("\\|");
            Matcher type = CODE.matcher(cells[1]);
            if (!type.find()) {
                continue;
            }
            String keysCell = cells[2].replaceAll("\\([^()]*\\)", "");
            Set<String> keys = new TreeSet<>();
            Matcher m = CODE.matcher(keysCell);
            while (m.find()) {
                keys.add(m.group(1));
            }
            out.put(type.group(1), keys);
        }
        return out;
    }

    private static String section(String heading) throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("\n" + heading + "\n");
        assertThat(start).as(heading + " in README.md").isPositive();
        int end = readme.indexOf("\n#", start + heading.length() + 2);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static List<String> tableRows(String section) {
        List<String> rows = new ArrayList<>();
        for (String line : section.split("\n")) {
            if (line.startsWith("| `")) {
                rows.add(line);
            }
        }
        return rows;
    }
}
