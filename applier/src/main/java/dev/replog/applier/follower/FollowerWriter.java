package dev.replog.applier.follower;

import dev.replog.schemas.Row;
import dev.replog.schemas.RowChange;
import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes row changes to a follower inside the caller's transaction. Consecutive changes that share
 * one statement are sent as one JDBC batch, the last change of each key only; a change needing
 * another statement first flushes the batch, so every key's changes reach the follower in the order
 * they were given (per-key order).
 */
public final class FollowerWriter implements AutoCloseable {

    /** Rows in one batch sent to the follower: beyond this, bigger batches no longer save time per row. */
    static final int CHUNK_ROWS = 1000;
    /** Characters of values in one batch: a few MiB whatever the width of the rows. */
    static final long CHUNK_CHARS = 4L * 1024 * 1024;

    private final Connection connection;
    private final FollowerTables tables;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final boolean batched;
    private PreparedStatement pending;
    /**
     * The changes waiting for {@code pending}, by key. A later change of a key replaces the earlier
     * one: both use the same statement (an upsert of the same columns, or a delete), which would
     * overwrite it anyway. It is also needed: pgjdbc rewrites a batch of inserts into multi-row
     * INSERTs, and PostgreSQL refuses an upsert that touches one row twice (SQLSTATE 21000), which
     * sent every poll with a repeated key (pgbench's branches) back to change-by-change apply.
     */
    private final Map<List<String>, List<String>> pendingRows = new LinkedHashMap<>();
    /** Characters of the values in {@link #pendingRows}: a snapshot or a huge transaction is sent in chunks. */
    private long pendingChars;

    /** @param batched false sends every change on its own, so a failure points at one change */
    public FollowerWriter(Connection connection, FollowerTables tables, boolean batched) {
        this.connection = connection;
        this.tables = tables;
        this.batched = batched;
    }

    public void apply(RowChange change) throws SQLException {
        tables.ensure(connection, change.table(), change.schema());
        List<String> key = change.schema().keyColumns();
        Row row = change.keyRow();
        String sql;
        List<String> values = new ArrayList<>();
        if (change.op().leavesRow()) {
            List<String> columns = new ArrayList<>(row.values().keySet());
            columns.removeAll(tables.generatedColumns(connection, change.table()));
            sql = sql(new SqlKey(change.table(), columns, key, true));
            for (String c : columns) {
                values.add(row.get(c));
            }
        } else {
            sql = sql(new SqlKey(change.table(), key, key, false));
            for (String k : key) {
                values.add(row.get(k));
            }
        }
        PreparedStatement ps = statement(sql);
        if (ps != pending) {
            flush();
            pending = ps;
        }
        List<String> keyValues = new ArrayList<>(key.size());
        for (String k : key) {
            keyValues.add(row.get(k));
        }
        pendingRows.put(keyValues, values);
        pendingChars += chars(values);
        // A batch is sent once it is big enough to cost little per row: the rows go to the follower,
        // inside the open follower transaction, instead of piling up on the applier's heap (a
        // 500,000-row snapshot in one transaction ran the applier out of memory here).
        if (!batched || pendingRows.size() >= CHUNK_ROWS || pendingChars >= CHUNK_CHARS) {
            flush();
        }
    }

    /** Empties a table; one the follower does not have is empty already (a snapshot's truncate comes first). */
    public void truncate(TableId table) throws SQLException {
        flush();
        try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, SqlIdentifiers.quote(table));
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return;
                }
            }
        }
        try (Statement s = connection.createStatement()) {
            s.execute(RowStatements.truncate(table));
        }
    }

    public void flush() throws SQLException {
        if (pending != null && !pendingRows.isEmpty()) {
            for (List<String> values : pendingRows.values()) {
                for (int i = 0; i < values.size(); i++) {
                    pending.setString(i + 1, values.get(i));
                }
                pending.addBatch();
            }
            pendingRows.clear();
            pending.executeBatch();
        }
        pending = null;
        pendingRows.clear();
        pendingChars = 0;
    }

    private static long chars(List<String> values) {
        long n = 0;
        for (String v : values) {
            n += v == null ? 0 : v.length();
        }
        return n;
    }

    /** A statement's SQL by what it is for: building and quoting it per change showed in profiles. */
    private record SqlKey(TableId table, List<String> columns, List<String> key, boolean upsert) {
    }

    private static final Map<SqlKey, String> SQL = new java.util.concurrent.ConcurrentHashMap<>();

    private static String sql(SqlKey k) {
        String known = SQL.get(k);
        if (known != null) {
            return known;
        }
        if (SQL.size() > 10_000) {
            SQL.clear();
        }
        String built = k.upsert() ? RowStatements.upsert(k.table(), k.columns(), k.key()) : RowStatements.delete(k.table(), k.key());
        SQL.put(k, built);
        return built;
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
