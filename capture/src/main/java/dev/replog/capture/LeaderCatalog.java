package dev.replog.capture;

import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableDefinition.CheckConstraint;
import dev.replog.schemas.TableDefinition.ColumnDefinition;
import dev.replog.schemas.TableId;
import dev.replog.schemas.UserType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a table's definition from the leader's catalog: columns, types, defaults, constraints, key,
 * and every user-defined or extension type its columns use ({@link LeaderTypes}).
 */
final class LeaderCatalog {

    private LeaderCatalog() {
    }

    /** The table's oid, or empty if no such table exists (any more). */
    static Optional<Long> oidOf(Connection c, TableId table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT cl.oid FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE n.nspname = ? AND cl.relname = ? AND cl.relkind IN ('r', 'p')""")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    static Optional<TableDefinition> read(Connection c, TableId table) throws SQLException {
        Optional<Long> oid = oidOf(c, table);
        if (oid.isEmpty()) {
            return Optional.empty();
        }
        List<UserType> types;
        try {
            types = LeaderTypes.of(c, oid.get());
        } catch (CaptureException e) {
            // ColumnCheck keeps such a table out of the publication; a type changed since is named here.
            throw new CaptureException("table " + table + ": " + e.getMessage(), e);
        }
        return Optional.of(new TableDefinition(table, oid.get(), columns(c, oid.get()), primaryKey(c, oid.get()),
                checks(c, oid.get()), types));
    }

    private static List<ColumnDefinition> columns(Connection c, long oid) throws SQLException {
        List<ColumnDefinition> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), t.typname, a.atttypmod,
                       a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attgenerated
                FROM pg_attribute a
                JOIN pg_type t ON t.oid = a.atttypid
                LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""")) {
            ps.setLong(1, oid);
            // The user types the columns use travel in the definition's types (LeaderTypes), no longer per column.
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String expression = rs.getString(7);
                    boolean generated = "s".equals(rs.getString(8));
                    columns.add(new ColumnDefinition(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                            rs.getInt(5), rs.getBoolean(6), generated ? null : portableDefault(expression),
                            generated ? expression : null));
                }
            }
        }
        return columns;
    }

    /**
     * A default that draws from a sequence (serial, identity) is left out: the follower never needs it,
     * since every row arrives with its value, and the sequence does not exist there.
     */
    static String portableDefault(String expression) {
        return expression == null || expression.contains("nextval(") ? null : expression;
    }

    private static List<String> primaryKey(Connection c, long oid) throws SQLException {
        List<String> key = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname
                FROM pg_index i
                CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE i.indrelid = ? AND i.indisprimary
                ORDER BY k.position""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
        }
        return key;
    }

    private static List<CheckConstraint> checks(Connection c, long oid) throws SQLException {
        return checks(c, """
                SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = ? AND contype = 'c' ORDER BY conname""", oid);
    }

    /** @param sql selects name and {@code pg_get_constraintdef} of the CHECK constraints of the object {@code oid} */
    static List<CheckConstraint> checks(Connection c, String sql, long oid) throws SQLException {
        List<CheckConstraint> checks = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    checks.add(new CheckConstraint(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return checks;
    }
}
