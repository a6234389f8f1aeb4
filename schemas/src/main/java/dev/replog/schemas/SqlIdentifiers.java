package dev.replog.schemas;

/**
 * Quoting of PostgreSQL identifiers. Every name Replog puts into SQL goes through here: table and
 * column names come from the leader and may contain anything, including quotes.
 */
public final class SqlIdentifiers {

    private SqlIdentifiers() {
    }

    public static String quote(String identifier) {
        if (identifier.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("identifier contains a NUL character: " + identifier);
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    public static String quote(TableId table) {
        return quote(table.schema()) + "." + quote(table.table());
    }
}
