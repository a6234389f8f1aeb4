package dev.replog.applier.verify;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * The statements of a chunked comparison of one table: the next chunk's upper key (keyset
 * pagination on the primary key, on the leader), a key range's {@link ChunkSum} (on either
 * database), and the rows of a range or of a set of keys with each row's md5 (on either database,
 * bounded by the chunk). Key values travel as text and are cast to the leader's key types in SQL, so
 * any key type, and a key of several columns, works; names are quoted.
 */
final class ChunkQueries {

    /** A row as read for a comparison: its key, its md5, and the version that wrote it (the leader's {@code xmin}), or null. */
    record RowDigest(List<String> key, String md5, String version) {
    }

    /** A row as read for a repair: every column's text (null for NULL) and its md5. */
    record StoredRow(List<String> values, String md5) {
    }

    private final TableShape shape;
    private final String table;
    private final String key;
    private final String keyText;
    private final String order;
    private final String params;
    private final String row;

    ChunkQueries(TableShape shape) {
        this.shape = shape;
        this.table = quote(shape.table());
        this.key = "(" + shape.key().stream().map(k -> "t." + quote(k)).collect(Collectors.joining(", ")) + ")";
        this.keyText = shape.key().stream().map(k -> "t." + quote(k) + "::text").collect(Collectors.joining(", "));
        this.order = shape.key().stream().map(k -> "t." + quote(k)).collect(Collectors.joining(", "));
        this.params = "(" + shape.keyTypes().stream().map(type -> "CAST(? AS " + type + ")").collect(Collectors.joining(", ")) + ")";
        this.row = "ROW(" + shape.columns().stream().map(c -> "t." + quote(c)).collect(Collectors.joining(", ")) + ")::text";
    }

    TableShape shape() {
        return shape;
    }

    /**
     * The key of the last row of the chunk of {@code rows} rows after {@code lower} (null: from the
     * start), or null if the rest of the table is no longer than that (the last chunk, which then has
     * no upper bound, so that rows the follower has beyond the leader's last key are compared too).
     */
    List<String> nextUpper(Connection c, List<String> lower, int rows) throws SQLException {
        String sql = "SELECT " + keyText + " FROM " + table + " t" + (lower == null ? "" : " WHERE " + key + " > " + params)
                + " ORDER BY " + order + " LIMIT 2 OFFSET ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = bind(ps, 1, lower);
            ps.setInt(i, rows - 1);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                List<String> upper = key(rs, 1);
                return rs.next() ? upper : null;
            }
        }
    }

    /** Count and checksum of the rows in the range, computed inside the database. */
    ChunkSum sum(Connection c, KeyRange range) throws SQLException {
        String sql = "SELECT count(*), coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint), 0),"
                + " coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint), 0)"
                + " FROM (SELECT md5(" + row + ") AS h FROM " + table + " t" + where(range) + ") rows";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, bind(ps, 1, range.lower()), range.upper());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new ChunkSum(rs.getLong(1), integer(rs.getBigDecimal(2)), integer(rs.getBigDecimal(3)));
            }
        }
    }

    /**
     * Each row of the range with its md5, in key order, at most {@code limit} rows; with
     * {@code versions}, each row's {@code xmin} too (on the leader: a row updated to the same values
     * is still another version).
     */
    List<RowDigest> digests(Connection c, KeyRange range, boolean versions, int limit) throws SQLException {
        String sql = "SELECT " + keyText + ", md5(" + row + ")" + (versions ? ", t.xmin::text" : "")
                + " FROM " + table + " t" + where(range) + " ORDER BY " + order + " LIMIT ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = bind(ps, bind(ps, 1, range.lower()), range.upper());
            ps.setInt(i, limit);
            List<RowDigest> out = new ArrayList<>();
            int n = shape.key().size();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RowDigest(key(rs, 1), rs.getString(n + 1), versions ? rs.getString(n + 2) : null));
                }
            }
            return out;
        }
    }

    /** The rows with these keys (those that exist), every column as text, by key. */
    Map<List<String>, StoredRow> rows(Connection c, Collection<List<String>> keys) throws SQLException {
        String columns = shape.columns().stream().map(col -> "t." + quote(col) + "::text").collect(Collectors.joining(", "));
        if (keys.isEmpty()) {
            return Map.of();
        }
        String sql = "SELECT " + keyText + ", md5(" + row + "), " + columns + " FROM " + table + " t WHERE " + keyIn();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            List<Array> arrays = bindKeys(c, ps, keys);
            Map<List<String>, StoredRow> out = new LinkedHashMap<>();
            int n = shape.key().size();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> values = new ArrayList<>(shape.columns().size());
                    for (int col = 0; col < shape.columns().size(); col++) {
                        values.add(rs.getString(n + 2 + col));
                    }
                    out.put(key(rs, 1), new StoredRow(values, rs.getString(n + 1)));
                }
            } finally {
                for (Array a : arrays) {
                    a.free();
                }
            }
            return out;
        }
    }

    /** {@code (key) IN (...)} over one text array parameter per key column (no limit on the number of keys). */
    String keyIn() {
        List<String> names = IntStream.rangeClosed(1, shape.key().size()).mapToObj(i -> "k" + i).toList();
        String casts = IntStream.range(0, names.size())
                .mapToObj(i -> "CAST(u." + names.get(i) + " AS " + shape.keyTypes().get(i) + ")").collect(Collectors.joining(", "));
        String arrays = names.stream().map(n -> "?::text[]").collect(Collectors.joining(", "));
        return key + " IN (SELECT " + casts + " FROM unnest(" + arrays + ") AS u(" + String.join(", ", names) + "))";
    }

    /** Binds the parameters of {@link #keyIn()} from position 1; the caller frees the arrays. */
    List<Array> bindKeys(Connection c, PreparedStatement ps, Collection<List<String>> keys) throws SQLException {
        int columns = shape.key().size();
        List<Array> arrays = new ArrayList<>(columns);
        for (int col = 0; col < columns; col++) {
            final int k = col;
            Array a = c.createArrayOf("text", keys.stream().map(key -> key.get(k)).toArray());
            arrays.add(a);
            ps.setArray(col + 1, a);
        }
        return arrays;
    }

    private String where(KeyRange range) {
        List<String> where = new ArrayList<>(2);
        if (range.lower() != null) {
            where.add(key + " > " + params);
        }
        if (range.upper() != null) {
            where.add(key + " <= " + params);
        }
        return where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where);
    }

    private List<String> key(ResultSet rs, int from) throws SQLException {
        List<String> key = new ArrayList<>(shape.key().size());
        for (int col = 0; col < shape.key().size(); col++) {
            key.add(rs.getString(from + col));
        }
        return key;
    }

    static int bind(PreparedStatement ps, int from, List<String> values) throws SQLException {
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
