package dev.replog.cli.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL file of deploy/sql as psql runs it with {@code -v name=value}: {@code :"name"} becomes a quoted
 * identifier and {@code :'name'} a quoted literal. Only that much of psql: a file with anything else
 * psql would interpret (a backslash command, a bare {@code :name}) is refused, so what a test runs is
 * what an operator's psql runs.
 */
public record PsqlScript(Path file, List<String> statements) {

    public static final Path LEADER_ROLE = DeployFiles.deploy("sql/leader-role.sql");
    public static final Path FOLLOWER_ROLE = DeployFiles.deploy("sql/follower-role.sql");

    private static final Pattern VARIABLE = Pattern.compile(":(['\"])([A-Za-z_][A-Za-z0-9_]*)\\1");
    private static final Pattern BARE_VARIABLE = Pattern.compile("(?<![:\\w]):[A-Za-z_]");

    /** The file's statements with every variable substituted; comments and blank lines left out. */
    public static PsqlScript of(Path file, Map<String, String> variables) {
        StringBuilder sql = new StringBuilder();
        try {
            for (String line : Files.readAllLines(file)) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                    continue;
                }
                if (trimmed.startsWith("\\") || BARE_VARIABLE.matcher(trimmed.replaceAll(VARIABLE.pattern(), "")).find()) {
                    throw new IllegalArgumentException(file + ": more of psql than :\"name\" and :'name' in: " + line);
                }
                sql.append(substitute(file, line, variables)).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> statements = new ArrayList<>();
        for (String s : sql.toString().split(";\\s*\n")) {
            if (!s.isBlank()) {
                statements.add(s.strip().replaceAll("\\s+", " ").replaceAll(";$", ""));
            }
        }
        return new PsqlScript(file, List.copyOf(statements));
    }

    private static String substitute(Path file, String line, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(line);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = variables.get(m.group(2));
            if (value == null) {
                throw new IllegalArgumentException(file + " needs psql variable '" + m.group(2) + "' (-v " + m.group(2) + "=...)");
            }
            String quote = m.group(1);
            m.appendReplacement(out, Matcher.quoteReplacement(quote + value.replace(quote, quote + quote) + quote));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The psql variables the file uses. */
    public static List<String> variablesOf(Path file) {
        try {
            return VARIABLE.matcher(Files.readString(file)).results().map(r -> r.group(2)).distinct().sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
