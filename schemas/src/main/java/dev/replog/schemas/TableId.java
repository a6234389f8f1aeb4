package dev.replog.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A leader table, by schema and name exactly as PostgreSQL spells them (case kept, unquoted). */
public record TableId(String schema, String table) implements Comparable<TableId> {

    public TableId {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
    }

    /**
     * Parses {@code schema.table}; a name without a schema is in {@code public}. A name is taken as
     * written (case kept). Without double quotes the first dot ends the schema. A name that contains
     * a dot, a comma, a double quote or outer spaces is written in double quotes with {@code "}
     * doubled, as in SQL: {@code "My.Schema"."we""ird.Tab le"}.
     */
    public static TableId parse(String qualified) {
        String s = qualified.trim();
        if (s.indexOf('"') < 0) {
            int dot = s.indexOf('.');
            return dot < 0 ? new TableId("public", s) : new TableId(s.substring(0, dot).trim(), s.substring(dot + 1).trim());
        }
        List<String> parts = new ArrayList<>(2);
        int i = 0;
        while (true) {
            i = skipSpaces(s, i);
            StringBuilder name = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '"') {
                i = readQuoted(s, i, name, qualified);
                parts.add(name.toString());
            } else {
                int end = s.indexOf('.', i);
                end = end < 0 ? s.length() : end;
                name.append(s, i, end);
                if (name.indexOf("\"") >= 0) {
                    throw new IllegalArgumentException("table name '" + qualified
                            + "': a name with '\"' in it must be written in double quotes, with '\"' doubled");
                }
                i = end;
                parts.add(name.toString().trim());
            }
            i = skipSpaces(s, i);
            if (i == s.length()) {
                break;
            }
            if (s.charAt(i) != '.' || parts.size() == 2) {
                throw new IllegalArgumentException("table name '" + qualified + "' is not schema.table");
            }
            i++;
        }
        if (parts.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("table name '" + qualified + "' has an empty part");
        }
        return parts.size() == 1 ? new TableId("public", parts.get(0)) : new TableId(parts.get(0), parts.get(1));
    }

    /** Parses a comma-separated list of {@link #parse} entries; commas inside double quotes belong to a name. */
    public static List<TableId> parseList(String list) {
        List<TableId> tables = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i <= list.length(); i++) {
            if (i == list.length() || (list.charAt(i) == ',' && !quoted)) {
                String entry = list.substring(start, i).trim();
                if (!entry.isEmpty()) {
                    tables.add(parse(entry));
                }
                start = i + 1;
            } else if (list.charAt(i) == '"') {
                // A doubled quote inside a quoted name toggles twice: still quoted.
                quoted = !quoted;
            }
        }
        return List.copyOf(tables);
    }

    /** Reads {@code "..."} starting at the opening quote into name; @return the index after the closing quote */
    private static int readQuoted(String s, int open, StringBuilder name, String qualified) {
        int i = open + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    name.append('"');
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            name.append(c);
            i++;
        }
        throw new IllegalArgumentException("table name '" + qualified + "' has an unclosed double quote");
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    @Override
    public int compareTo(TableId o) {
        int c = schema.compareTo(o.schema);
        return c != 0 ? c : table.compareTo(o.table);
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }
}
