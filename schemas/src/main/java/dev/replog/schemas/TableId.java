package dev.replog.schemas;

import java.util.Objects;

/** A leader table, by schema and name exactly as PostgreSQL spells them (case kept, unquoted). */
public record TableId(String schema, String table) implements Comparable<TableId> {

    public TableId {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
    }

    /** Parses {@code schema.table}; a name without a dot is in {@code public}. */
    public static TableId parse(String qualified) {
        int dot = qualified.indexOf('.');
        if (dot < 0) {
            return new TableId("public", qualified.trim());
        }
        return new TableId(qualified.substring(0, dot).trim(), qualified.substring(dot + 1).trim());
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
