package dev.replog.capture;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Checks, before Debezium starts, the things about the leader that would otherwise fail later or
 * silently: logical decoding enabled, every captured table present and keyed by a primary key.
 */
final class LeaderPreflight {

    private LeaderPreflight() {
    }

    static void check(LeaderConnection leader, List<TableId> tables) {
        try (Connection c = leader.open()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW wal_level")) {
                rs.next();
                if (!"logical".equals(rs.getString(1))) {
                    throw new CaptureException("leader " + leader + " has wal_level=" + rs.getString(1)
                            + "; capture needs wal_level=logical (set it in postgresql.conf and restart PostgreSQL)");
                }
            }
            for (TableId table : tables) {
                if (!DebeziumConfig.isPattern(table)) {
                    checkTable(c, table);
                }
            }
        } catch (SQLException e) {
            throw new CaptureException("cannot check leader " + leader + ": " + e.getMessage(), e);
        }
    }

    private static void checkTable(Connection c, TableId table) throws SQLException {
        String sql = """
                SELECT cl.oid,
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = cl.oid AND i.indisprimary)
                FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE n.nspname = ? AND cl.relname = ? AND cl.relkind IN ('r', 'p')""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new CaptureException("captured table " + table + " does not exist on the leader "
                            + "(check capture.tables; names are case-sensitive)");
                }
                if (!rs.getBoolean(2)) {
                    throw new CaptureException("captured table " + table + " has no primary key; Replog keys "
                            + "every change by primary key. Add one (ALTER TABLE ... ADD PRIMARY KEY) or remove the "
                            + "table from capture.tables");
                }
            }
        }
    }
}
