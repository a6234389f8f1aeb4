package dev.replog.applier.verify;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A range of primary-key values, {@code lower < key <= upper}, each bound the text form of the key's
 * columns (as PostgreSQL prints them), null for no bound. Keys compare as PostgreSQL compares rows
 * of the key's types, so the same range selects the same rows in the leader and the follower.
 */
record KeyRange(List<String> lower, List<String> upper) {

    static final KeyRange ALL = new KeyRange(null, null);

    /**
     * The range as a condition an operator can paste into a WHERE clause, e.g.
     * {@code (id) > (4000) AND (id) <= (5000)}, or {@code the whole table}.
     */
    String describe(List<String> keyColumns) {
        String key = "(" + keyColumns.stream().map(KeyRange::name).collect(Collectors.joining(", ")) + ")";
        if (lower == null && upper == null) {
            return "the whole table";
        }
        if (lower == null) {
            return key + " <= " + values(upper);
        }
        if (upper == null) {
            return key + " > " + values(lower);
        }
        return key + " > " + values(lower) + " AND " + key + " <= " + values(upper);
    }

    private static String name(String column) {
        return column.matches("[a-z_][a-z0-9_]*") ? column : dev.replog.schemas.SqlIdentifiers.quote(column);
    }

    static String values(List<String> values) {
        return "(" + values.stream().map(KeyRange::literal).collect(Collectors.joining(", ")) + ")";
    }

    private static String literal(String value) {
        return value.matches("-?[0-9]+(\\.[0-9]+)?") ? value : "'" + value.replace("'", "''") + "'";
    }
}
