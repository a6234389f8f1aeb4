package dev.replog.schemas;

import java.util.List;

/**
 * A column of a leader table as described by the log: name, PostgreSQL type, nullability, and for
 * an enum column the type's labels in order (empty otherwise), so a follower can create the type.
 */
public record Column(String name, PgType type, boolean optional, List<String> enumLabels) {

    public Column {
        enumLabels = List.copyOf(enumLabels);
    }

    public Column(String name, PgType type, boolean optional) {
        this(name, type, optional, List.of());
    }
}
