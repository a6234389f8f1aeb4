package dev.replog.applier.verify;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * Row count and content checksum of a table, computed inside the database: an md5 over every row's
 * text form, in primary-key order, over an explicit column list. Two tables with equal checksums
 * hold the same values, as PostgreSQL prints them, in the same columns.
 */
public record TableChecksum(long rows, String md5) {

    /** Checksum of {@code table} over {@code columns}, rows ordered by {@code keyColumns}. */
    public static TableChecksum of(Connection c, TableId table, List<String> columns, List<String> keyColumns) throws SQLException {
        String row = "ROW(" + columns.stream().map(col -> "t." + quote(col)).collect(Collectors.joining(", ")) + ")::text";
        String order = keyColumns.stream().map(k -> "t." + quote(k)).collect(Collectors.joining(", "));
        String sql = "SELECT count(*), coalesce(md5(string_agg(md5(" + row + "), '' ORDER BY " + order + ")), '')"
                + " FROM " + quote(table) + " t";
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new TableChecksum(rs.getLong(1), rs.getString(2));
        }
    }

    /** Columns of a table in declaration order. */
    public static List<String> columns(Connection c, TableId table) throws SQLException {
        return names(c, table, """
                SELECT a.attname FROM pg_attribute a
                JOIN pg_class cl ON cl.oid = a.attrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE n.nspname = ? AND cl.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""");
    }

    /** Primary-key columns of a table, in key order. */
    public static List<String> keyColumns(Connection c, TableId table) throws SQLException {
        return names(c, table, """
                SELECT a.attname FROM pg_index i
                JOIN pg_class cl ON cl.oid = i.indrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
                JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum = k.attnum
                WHERE n.nspname = ? AND cl.relname = ? AND i.indisprimary
                ORDER BY k.ord""");
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
