package dev.replog.schemas;

import java.util.List;

/** The columns of a table as the log describes them, and which of them form the primary key. */
public record TableSchema(List<Column> columns, List<String> keyColumns) {

    public TableSchema {
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    public List<String> nonKeyColumnNames() {
        return columns.stream().map(Column::name).filter(n -> !keyColumns.contains(n)).toList();
    }
}
