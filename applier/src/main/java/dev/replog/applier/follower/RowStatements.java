package dev.replog.applier.follower;

import dev.replog.schemas.TableId;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * The SQL that applies row changes to a follower table. Every identifier is quoted and every value
 * is a bound parameter.
 */
public final class RowStatements {

    private RowStatements() {
    }

    /** Insert the row, or overwrite the row with the same key: applying it twice changes nothing. */
    static String upsert(TableId table, List<String> columns, List<String> keyColumns) {
        return upsert(table, columns, keyColumns, c -> "?");
    }

    /** The same, with each column's value as {@code valueOf} writes it (a parameter, or an expression). */
    static String upsert(TableId table, List<String> columns, List<String> keyColumns, UnaryOperator<String> valueOf) {
        String names = columns.stream().map(c -> quote(c)).collect(Collectors.joining(", "));
        String params = columns.stream().map(valueOf).collect(Collectors.joining(", "));
        String key = keyColumns.stream().map(c -> quote(c)).collect(Collectors.joining(", "));
        List<String> rest = columns.stream().filter(c -> !keyColumns.contains(c)).toList();
        String onConflict = rest.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + rest.stream().map(c -> quote(c) + " = EXCLUDED." + quote(c)).collect(Collectors.joining(", "));
        return "INSERT INTO " + quote(table) + " (" + names + ") VALUES (" + params + ") ON CONFLICT (" + key + ") " + onConflict;
    }

    static String delete(TableId table, List<String> keyColumns) {
        String where = keyColumns.stream().map(c -> quote(c) + " = ?").collect(Collectors.joining(" AND "));
        return "DELETE FROM " + quote(table) + " WHERE " + where;
    }

    static String truncate(TableId table) {
        return "TRUNCATE " + quote(table);
    }
}
