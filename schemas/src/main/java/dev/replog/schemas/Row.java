package dev.replog.schemas;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Column values of one row, in column order, each in PostgreSQL's text input form (what
 * {@code INSERT ... VALUES ('<text>')} would accept for that column's type); null is SQL NULL.
 * Text form is what makes values exact: every PostgreSQL type reads back its own text output.
 */
public record Row(Map<String, String> values) {

    public Row {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public String get(String column) {
        return values.get(column);
    }

    public boolean has(String column) {
        return values.containsKey(column);
    }
}
