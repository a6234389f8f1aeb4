package dev.replog.applier;

import dev.replog.schemas.Row;
import dev.replog.schemas.RowChange;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes row changes to a follower inside the caller's transaction. Consecutive changes that share
 * one statement are sent as one JDBC batch; a change needing another statement first flushes the
 * batch, so changes reach the follower in exactly the order they were given (per-key order).
 */
final class FollowerWriter implements AutoCloseable {

    private final Connection connection;
    private final FollowerTables tables;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final boolean batched;
    private PreparedStatement pending;
    private int pendingCount;
    private final Set<List<String>> pendingKeys = new HashSet<>();

    /** @param batched false sends every change on its own, so a failure points at one change */
    FollowerWriter(Connection connection, FollowerTables tables, boolean batched) {
        this.connection = connection;
        this.tables = tables;
        this.batched = batched;
    }

    void apply(RowChange change) throws SQLException {
        tables.ensure(connection, change.table(), change.schema());
        List<String> key = change.schema().keyColumns();
        Row row = change.keyRow();
        String sql;
        List<String> values = new ArrayList<>();
        if (change.op().leavesRow()) {
            List<String> columns = new ArrayList<>(row.values().keySet());
            columns.removeAll(tables.generatedColumns(connection, change.table()));
            sql = RowStatements.upsert(change.table(), columns, key);
            for (String c : columns) {
                values.add(row.get(c));
            }
        } else {
            sql = RowStatements.delete(change.table(), key);
            for (String k : key) {
                values.add(row.get(k));
            }
        }
        PreparedStatement ps = statement(sql);
        List<String> keyValues = new ArrayList<>(key.size());
        for (String k : key) {
            keyValues.add(row.get(k));
        }
        // The driver rewrites a batch of upserts into one multi-row statement, which may not touch a
        // row twice: a second change of the same key starts a new batch.
        if (ps != pending || pendingKeys.contains(keyValues)) {
            flush();
            pending = ps;
        }
        pendingKeys.add(keyValues);
        for (int i = 0; i < values.size(); i++) {
            ps.setString(i + 1, values.get(i));
        }
        ps.addBatch();
        pendingCount++;
        if (!batched) {
            flush();
        }
    }

    void truncate(TableId table) throws SQLException {
        flush();
        try (Statement s = connection.createStatement()) {
            s.execute(RowStatements.truncate(table));
        }
    }

    void flush() throws SQLException {
        if (pending != null && pendingCount > 0) {
            pending.executeBatch();
        }
        pending = null;
        pendingCount = 0;
        pendingKeys.clear();
    }

    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    @Override
    public void close() throws SQLException {
        for (PreparedStatement ps : statements.values()) {
            ps.close();
        }
        statements.clear();
    }
}
