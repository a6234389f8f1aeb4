package dev.replog.applier.follower;

import dev.replog.applier.LogRecords;
import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.RowChange;
import dev.replog.schemas.TableId;
import dev.replog.schemas.compact.CompactWire;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * Primary-key updates. The log holds one as a delete of the old key (header {@code replog.key.new})
 * and a create of the new key (header {@code replog.key.old}), with the same LSN. Under the default
 * replica identity a large (TOASTed) value the update left alone is in neither: the create shows it
 * as unavailable. So the delete first hands the follower's old row over, as text, in
 * {@code replog.moved_rows}; the create takes the values it lacks from there and removes the
 * hand-over, in the same follower transactions as the positions (a replayed event is skipped by its
 * source order and never finds or leaves a hand-over). The two events may be in different
 * partitions: a create whose hand-over is not there yet waits for it ({@link #mustWait}), the way a
 * partition waits at a truncate, until the delete hands over or is set aside as a poison event. The
 * create always follows its delete in the leader's history, so these waits never form a cycle.
 */
public final class KeyMoves {

    private static final String WHERE = "topic = ? AND source_lsn = ?::pg_lsn AND old_key = (?::jsonb)->'payload'";

    private KeyMoves() {
    }

    public static void createIfMissing(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS replog.moved_rows (
                        topic      text   NOT NULL,
                        source_lsn pg_lsn NOT NULL,
                        old_key    jsonb  NOT NULL,
                        old_row    text,
                        PRIMARY KEY (topic, source_lsn, old_key))""");
        }
    }

    /** Either half of a primary-key update. */
    static boolean isMove(ConsumerRecord<byte[], byte[]> r) {
        return r.value() != null && (LogRecords.header(r, LogHeaders.KEY_NEW) != null || HandOver.takenBy(r) != null);
    }

    /**
     * The hand-over a key move's create takes, named by the create's topic, LSN and old key; a
     * partition paused at that create waits for it.
     */
    public record HandOver(String topic, String lsn, String oldKey) implements PartitionWait {

        /** The hand-over of this record if it is a key move's create, else null. */
        public static HandOver takenBy(ConsumerRecord<byte[], byte[]> r) {
            Header oldKey = r.headers().lastHeader(LogHeaders.KEY_OLD);
            return r.value() == null || oldKey == null ? null : new HandOver(r.topic(), lsnOf(r), movedKey(oldKey.value()));
        }

        /** The delete handed the row over, or was set aside as a poison event (it has the create's topic and LSN). */
        @Override
        public boolean released(Connection c) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM replog.moved_rows WHERE " + WHERE
                    + ") OR EXISTS (SELECT 1 FROM replog.dead_letters WHERE topic = ? AND source_lsn = ?::pg_lsn)")) {
                int i = bind(ps, 1);
                ps.setString(i, topic);
                ps.setString(i + 1, lsn);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        }

        void drop(Connection c) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM replog.moved_rows WHERE " + WHERE)) {
                bind(ps, 1);
                ps.executeUpdate();
            }
        }

        /** @return the next parameter index */
        int bind(PreparedStatement ps, int i) throws SQLException {
            ps.setString(i, topic);
            ps.setString(i + 1, lsn);
            ps.setString(i + 2, oldKey);
            return i + 3;
        }

        @Override
        public String toString() {
            return "the primary-key update at LSN " + lsn + " (its delete, in the old key's partition, hands the row over)";
        }
    }

    /** True for the create of a key move whose delete has not handed the old row over yet. */
    public static boolean mustWait(Connection c, ConsumerRecord<byte[], byte[]> r) throws SQLException {
        HandOver h = HandOver.takenBy(r);
        return h != null && !h.released(c);
    }

    /** Applies a key move's delete or create (the caller has flushed its writer: this runs now). */
    static void apply(Connection c, ConsumerRecord<byte[], byte[]> r, RowChange change, FollowerTables tables,
                      FollowerWriter writer) throws SQLException {
        tables.ensure(c, change.table(), change.schema());
        HandOver taken = HandOver.takenBy(r);
        if (taken == null) {
            handOver(c, r, change);
            writer.apply(change);
            return;
        }
        Set<String> generated = tables.generatedColumns(c, change.table());
        List<String> given = new ArrayList<>(change.after().values().keySet());
        given.removeAll(generated);
        List<String> lacking = change.schema().columnNames().stream()
                .filter(col -> !change.after().has(col) && !generated.contains(col)).toList();
        List<String> columns = new ArrayList<>(given);
        columns.addAll(lacking);
        String sql = "WITH old AS (SELECT old_row::" + quote(change.table()) + " AS r FROM replog.moved_rows WHERE " + WHERE
                + ") " + RowStatements.upsert(change.table(), columns, change.schema().keyColumns(),
                col -> lacking.contains(col) ? "(SELECT (r)." + quote(col) + " FROM old)" : "?");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = taken.bind(ps, 1);
            for (String col : given) {
                ps.setString(i++, change.after().get(col));
            }
            ps.executeUpdate();
        }
        taken.drop(c);
    }

    /** A key move's create set aside as a poison event: its hand-over is not left behind. */
    public static void skipped(Connection c, ConsumerRecord<byte[], byte[]> r) throws SQLException {
        HandOver taken = HandOver.takenBy(r);
        if (taken != null) {
            taken.drop(c);
        }
    }

    /** Keeps the follower's row of the old key, as text (NULL if it has none), before the delete removes it. */
    private static void handOver(Connection c, ConsumerRecord<byte[], byte[]> r, RowChange delete) throws SQLException {
        TableId table = delete.table();
        List<String> key = delete.schema().keyColumns();
        // ROW(x.*), not x: a column named like the alias would be taken for the whole row.
        String where = key.stream().map(k -> "x." + quote(k) + " = ?").collect(Collectors.joining(" AND "));
        String sql = "INSERT INTO replog.moved_rows (topic, source_lsn, old_key, old_row) VALUES (?, ?::pg_lsn, "
                + "(?::jsonb)->'payload', (SELECT ROW(x.*)::text FROM " + quote(table) + " AS x WHERE " + where + ")) "
                + "ON CONFLICT (topic, source_lsn, old_key) DO UPDATE SET old_row = EXCLUDED.old_row";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = handedOverBy(r).bind(ps, 1);
            for (String k : key) {
                ps.setString(i++, delete.before().get(k));
            }
            ps.executeUpdate();
        }
    }

    /** The hand-over a key move's delete makes: under its own key, which is the create's old key. */
    private static HandOver handedOverBy(ConsumerRecord<byte[], byte[]> r) {
        return new HandOver(r.topic(), lsnOf(r), movedKey(r.key()));
    }

    /**
     * A record key (or key header) as the JSON whose {@code payload} names the moved row: the JSON
     * format's key as it is; a compact key, which is binary, as its hex digits. Both halves of a move
     * are in the log's one format, so they name the row alike.
     */
    static String movedKey(byte[] key) {
        if (CompactWire.isCompact(key)) {
            return "{\"payload\":\"" + HexFormat.of().formatHex(key) + "\"}";
        }
        return new String(key, StandardCharsets.UTF_8);
    }

    private static String lsnOf(ConsumerRecord<byte[], byte[]> r) {
        Lsn lsn = LogRecords.lsn(r);
        return lsn == null ? null : lsn.toString();
    }
}
