import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Build step of the packages (run by the packaging pom in prepare-package, single-threaded):
 * writes one troff man page per rhid command, from the same picocli model that prints
 * "rhid COMMAND --help", and the gzipped Debian changelog. Output is byte-for-byte reproducible:
 * gzip without a name or time stamp, and the man pages dated by the changelog's latest entry.
 *
 * <p>Usage: java -cp CLASSPATH BuildDocs.java ROOT CHANGELOG VERSION
 */
public class BuildDocs {

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String changelog = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
        String version = args[2];
        // "rhid (0.1.0) unstable; urgency=medium" ... " -- NAME <MAIL>  Thu, 03 Dec 2026 06:00:00 +0000"
        Matcher head = Pattern.compile("\\A(\\S+) \\(([^)]+)\\)").matcher(changelog);
        if (!head.find() || !head.group(2).equals(version)) {
            throw new IllegalStateException(args[1] + ":1: the latest entry must be version " + version
                    + " (the project's), found " + (head.find(0) ? head.group(2) : "no entry"));
        }
        Matcher date = Pattern.compile("(?m)^ -- .+>  \\w{3}, (\\d{2}) (\\w{3}) (\\d{4}) ").matcher(changelog);
        if (!date.find()) {
            throw new IllegalStateException(args[1] + ": the latest entry has no ' -- NAME <MAIL>  DATE' line");
        }
        String month = date.group(2);
        int m = List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec").indexOf(month) + 1;
        String isoDate = String.format("%s-%02d-%s", date.group(3), m, date.group(1));

        gzip(changelog.getBytes(StandardCharsets.UTF_8), root.resolve("usr/share/doc/rhid/changelog.gz"));

        CommandLine cli = new CommandLine(Class.forName("io.rhid.agent.cli.MainCommand"));
        Path man1 = root.resolve("usr/share/man/man1");
        List<CommandLine> all = new ArrayList<>();
        collect(cli, all);
        List<String> names = all.stream().map(BuildDocs::pageName).toList();
        for (CommandLine c : all) {
            String page = page(c.getCommandSpec(), pageName(c), isoDate, version, names);
            gzip(page.getBytes(StandardCharsets.UTF_8), man1.resolve(pageName(c) + ".1.gz"));
        }
        System.out.println("BuildDocs: " + all.size() + " man pages in " + man1 + ", changelog.gz");
    }

    static void collect(CommandLine c, List<CommandLine> into) {
        into.add(c);
        c.getSubcommands().values().stream().distinct().forEach(s -> collect(s, into));
    }

    /** "rhid", "rhid-status": the qualified name with dashes, as git's pages are named. */
    static String pageName(CommandLine c) {
        return c.getCommandSpec().qualifiedName("-");
    }

    static String page(CommandSpec spec, String name, String date, String version, List<String> all) {
        StringBuilder t = new StringBuilder();
        String title = name.toUpperCase(java.util.Locale.ROOT);
        t.append("'\\\" t\n");
        t.append(".\\\" Generated from rhid's command line model at build time; do not edit.\n");
        t.append(".TH \"").append(esc(title)).append("\" \"1\" \"").append(date).append("\" \"rhid ")
                .append(esc(version)).append("\" \"rhid manual\"\n");
        t.append(".SH NAME\n").append(esc(name)).append(" \\- ").append(esc(summary(spec))).append('\n');

        t.append(".SH SYNOPSIS\n.B ").append(esc(spec.qualifiedName(" "))).append('\n');
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            String syn = o.shortestName() + (o.arity().max() > 0 ? " " + o.paramLabel() : "");
            t.append(o.required() ? ".B \"" + esc(syn) + "\"\n" : ".RB [ \"" + esc(syn) + "\" ]\n");
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) {
                String label = p.paramLabel() + (p.arity().max() > 1 ? "..." : "");
                t.append(p.arity().min() > 0 ? ".I " + esc(label) + "\n" : ".RI [ \"" + esc(label) + "\" ]\n");
            }
        }
        if (!spec.subcommands().isEmpty()) {
            t.append(".I COMMAND\n");
        }

        t.append(".SH DESCRIPTION\n");
        paragraphs(t, spec.usageMessage().description());

        if (!spec.subcommands().isEmpty()) {
            t.append(".SH COMMANDS\n");
            spec.subcommands().values().stream().distinct().forEach(sub -> t.append(".TP\n.BR ")
                    .append(esc(pageName(sub))).append(" (1)\n").append(esc(summary(sub.getCommandSpec()))).append('\n'));
        }

        if (!spec.positionalParameters().isEmpty()) {
            t.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : spec.positionalParameters()) {
                if (!p.hidden()) {
                    t.append(".TP\n.I ").append(esc(p.paramLabel())).append('\n');
                    lines(t, p.description());
                }
            }
        }
        t.append(".SH OPTIONS\n");
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            t.append(".TP\n");
            List<String> forms = new ArrayList<>();
            for (String n : o.names()) {
                forms.add("\\fB" + esc(n) + "\\fR" + (o.arity().max() > 0 ? " \\fI" + esc(o.paramLabel()) + "\\fR" : ""));
            }
            t.append(String.join(", ", forms)).append('\n');
            lines(t, o.description());
        }

        Map<String, String> exits = spec.usageMessage().exitCodeList();
        if (!exits.isEmpty()) {
            t.append(".SH EXIT STATUS\n");
            exits.forEach((code, what) -> t.append(".TP\n.B ").append(esc(code.strip())).append('\n')
                    .append(esc(what.strip())).append('\n'));
        }
        t.append(".SH FILES\n.TP\n.I /etc/rhid/rhid.yaml\nthe configuration (\\fB\\-c\\fR changes it).\n");
        t.append(".TP\n.I /usr/share/doc/rhid/README.md\nthe full documentation: set\\-up with BIRD and FRR, every config key, operation.\n");
        t.append(".SH SEE ALSO\n");
        List<String> refs = new ArrayList<>();
        for (String other : all) {
            if (!other.equals(name)) {
                refs.add(".BR " + esc(other) + " (1)");
            }
        }
        for (int i = 0; i < refs.size(); i++) {
            t.append(refs.get(i)).append(i < refs.size() - 1 ? ",\n" : "\n");
        }
        return t.toString();
    }

    static String summary(CommandSpec spec) {
        String[] d = spec.usageMessage().description();
        String first = d.length == 0 ? spec.name() : d[0];
        // The first sentence, without its final period: "rhid-status - show the daemon's state".
        int dot = first.indexOf(". ");
        String s = (dot > 0 ? first.substring(0, dot) : first).replaceAll("\\.$", "");
        return s.isEmpty() ? spec.name() : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    static void paragraphs(StringBuilder t, String[] text) {
        boolean first = true;
        for (String p : text) {
            if (!first) {
                t.append(".PP\n");
            }
            t.append(esc(p.strip())).append('\n');
            first = false;
        }
    }

    static void lines(StringBuilder t, String[] text) {
        for (String p : text) {
            t.append(esc(p.strip())).append('\n');
        }
    }

    /** Text as troff reads it literally: backslashes, minus signs, and a leading dot or quote. */
    static String esc(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-").replace("%n", "\n");
        StringBuilder out = new StringBuilder();
        for (String line : e.split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(line.startsWith(".") || line.startsWith("'") ? "\\&" + line : line);
        }
        return out.toString();
    }

    static void gzip(byte[] content, Path file) {
        try {
            Files.createDirectories(file.getParent());
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (OutputStream out = new GZIPOutputStream(bytes) {
                {
                    def.setLevel(Deflater.BEST_COMPRESSION);
                }
            }) {
                out.write(content);
            }
            byte[] gz = bytes.toByteArray();
            // The header as "gzip -9n" writes it: XFL 2 (maximum compression; lintian reads it)
            // and OS 3 (Unix). Java writes 0 for both; the header is outside the CRC.
            gz[8] = 2;
            gz[9] = 3;
            Files.write(file, gz);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
