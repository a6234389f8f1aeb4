package dev.replog.schemas;

import java.util.Objects;

/**
 * A leader table's definition changed (or was first seen, or the table was dropped). It is ordered
 * in the table's topic before every row that depends on it.
 *
 * @param definition the table as it is from this point of the log on; null if the table was dropped
 */
public record SchemaChange(TableId table, TableDefinition definition, SourcePosition source) implements ChangeEvent {

    public SchemaChange {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(source, "source");
        if (definition != null && !definition.table().equals(table)) {
            throw new IllegalArgumentException("definition of " + definition.table() + " in a schema change of " + table);
        }
    }

    public boolean isDrop() {
        return definition == null;
    }
}
