package dev.replog.schemas;

import java.util.Objects;

/**
 * A row inserted, updated, deleted or read by the snapshot. {@code before} is null for inserts and
 * snapshot reads; {@code after} is null for deletes.
 */
public record RowChange(TableId table, Operation op, TableSchema schema, Row before, Row after,
                        SourcePosition source) implements ChangeEvent {

    public RowChange {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(schema, "schema");
        if (op.leavesRow() && after == null) {
            throw new IllegalArgumentException(op + " on " + table + " has no 'after' row");
        }
        if (op == Operation.DELETE && before == null) {
            throw new IllegalArgumentException("delete on " + table + " has no 'before' row");
        }
    }

    /** The row whose primary key identifies the change: the new row, or the old one for a delete. */
    public Row keyRow() {
        return op.leavesRow() ? after : before;
    }
}
