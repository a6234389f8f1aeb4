package dev.replog.applier.verify;

import dev.replog.schemas.TableId;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * The two statements of a chunked comparison of one table: the next chunk's upper key (keyset
 * pagination on the primary key, on the leader) and a key range's {@link ChunkSum} (on either
 * database). Key values travel as text and are cast to the leader's key types in SQL, so any key
 * type, and a key of several columns, works; names are quoted.
 */
final class ChunkQueries {

    private final String table;
    private final String key;
    private final List<String> keyColumns;
    private final String params;
    private final String row;

    /**
     * @param columns    the leader's columns, in order: each row's checksum covers exactly these
     * @param keyColumns the leader's primary-key columns, in key order
     * @param keyTypes   their types as {@code format_type} prints them on the leader
     */
    ChunkQueries(TableId table, List<String> columns, List<String> keyColumns, List<String> keyTypes) {
        this.table = quote(table);
        this.keyColumns = keyColumns;
        this.key = "(" + keyColumns.stream().map(k -> "t." + quote(k)).collect(Collectors.joining(", ")) + ")";
        this.params = "(" + keyTypes.stream().map(type -> "CAST(? AS " + type + ")").collect(Collectors.joining(", ")) + ")";
        this.row = "ROW(" + columns.stream().map(c -> "t." + quote(c)).collect(Collectors.joining(", ")) + ")::text";
    }

    /**
     * The key of the last row of the chunk of {@code rows} rows after {@code lower} (null: from the
     * start), or null if the rest of the table is no longer than that (the last chunk, which then has
     * no upper bound, so that rows the follower has beyond the leader's last key are compared too).
     */
    List<String> nextUpper(Connection c, List<String> lower, int rows) throws SQLException {
        String sql = "SELECT " + keyColumns.stream().map(k -> "t." + quote(k) + "::text").collect(Collectors.joining(", "))
                + " FROM " + table + " t" + (lower == null ? "" : " WHERE " + key + " > " + params)
                + " ORDER BY " + keyColumns.stream().map(k -> "t." + quote(k)).collect(Collectors.joining(", "))
                + " LIMIT 2 OFFSET ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = bind(ps, 1, lower);
            ps.setInt(i, rows - 1);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                List<String> upper = new ArrayList<>(keyColumns.size());
                for (int col = 1; col <= keyColumns.size(); col++) {
                    upper.add(rs.getString(col));
                }
                return rs.next() ? upper : null;
            }
        }
    }

    /** Count and checksum of the rows in the range, computed inside the database. */
    ChunkSum sum(Connection c, KeyRange range) throws SQLException {
        List<String> where = new ArrayList<>(2);
        if (range.lower() != null) {
            where.add(key + " > " + params);
        }
        if (range.upper() != null) {
            where.add(key + " <= " + params);
        }
        String sql = "SELECT count(*), coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint), 0),"
                + " coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint), 0)"
                + " FROM (SELECT md5(" + row + ") AS h FROM " + table + " t"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)) + ") rows";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, bind(ps, 1, range.lower()), range.upper());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new ChunkSum(rs.getLong(1), integer(rs.getBigDecimal(2)), integer(rs.getBigDecimal(3)));
            }
        }
    }

    private static int bind(PreparedStatement ps, int from, List<String> values) throws SQLException {
        if (values == null) {
            return from;
        }
        for (int i = 0; i < values.size(); i++) {
            ps.setString(from + i, values.get(i));
        }
        return from + values.size();
    }

    private static java.math.BigInteger integer(BigDecimal d) {
        return d.toBigIntegerExact();
    }
}
