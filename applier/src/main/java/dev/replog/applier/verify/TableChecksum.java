package dev.replog.applier.verify;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Row count and content checksum of a whole table, the sum of its chunks' {@link ChunkSum}s: equal on
 * two databases when they hold the same rows (the same values, as PostgreSQL prints them, in the
 * same columns). Also the catalog look-ups a comparison needs.
 */
public record TableChecksum(long rows, String digest) {

    /** Columns of a table in declaration order. */
    public static List<String> columns(Connection c, TableId table) throws SQLException {
        return names(c, table, attributes("a.attname"));
    }

    /** The types of a table's columns in declaration order, as {@code format_type} prints them. */
    static List<String> columnTypes(Connection c, TableId table) throws SQLException {
        return names(c, table, attributes("format_type(a.atttypid, a.atttypmod)"));
    }

    /**
     * The planner's estimate of a table's rows ({@code reltuples}; 0 for a table never analyzed or
     * missing): what progress is measured against, read without scanning the table.
     */
    public static long estimatedRows(Connection c, TableId table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT greatest(cl.reltuples, 0)::bigint FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE n.nspname = ? AND cl.relname = ?""")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** Primary-key columns of a table, in key order. */
    public static List<String> keyColumns(Connection c, TableId table) throws SQLException {
        return names(c, table, primaryKey("a.attname"));
    }

    /** The types of the primary-key columns, in key order, as {@code format_type} prints them. */
    static List<String> keyTypes(Connection c, TableId table) throws SQLException {
        return names(c, table, primaryKey("format_type(a.atttypid, a.atttypmod)"));
    }

    /** One value per column, in declaration order. */
    private static String attributes(String selected) {
        return "SELECT " + selected + """
                 FROM pg_attribute a
                JOIN pg_class cl ON cl.oid = a.attrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE n.nspname = ? AND cl.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""";
    }

    /** One value per primary-key column, in key order. */
    private static String primaryKey(String selected) {
        return "SELECT " + selected + """
                 FROM pg_index i
                JOIN pg_class cl ON cl.oid = i.indrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
                JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum = k.attnum
                WHERE n.nspname = ? AND cl.relname = ? AND i.indisprimary
                ORDER BY k.ord""";
    }

    private static List<String> names(Connection c, TableId table, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
