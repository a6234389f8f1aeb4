package dev.replog.applier.state;

import dev.replog.schemas.Lsn;
import dev.replog.schemas.SourceOrder;
import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The applier's position per topic-partition, kept in the follower's {@code replog} schema and
 * written in the same transaction as the rows it describes: after a crash the follower's rows and
 * its position agree, so resuming from the position neither loses nor repeats a change.
 */
public final class PositionStore {

    static final String SCHEMA = "replog";

    private PositionStore() {
    }

    public static void createIfMissing(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            s.execute("""
                    CREATE TABLE IF NOT EXISTS replog.positions (
                        topic        text        NOT NULL,
                        partition    integer     NOT NULL,
                        kafka_offset bigint      NOT NULL,
                        source_lsn   pg_lsn,
                        applied_at   timestamptz NOT NULL DEFAULT now(),
                        PRIMARY KEY (topic, partition))""");
            s.execute("ALTER TABLE replog.positions ADD COLUMN IF NOT EXISTS applied_order text");
            // Row mode: the highest watermark of capture's applied on the partition (see AppliedLsn).
            s.execute("ALTER TABLE replog.positions ADD COLUMN IF NOT EXISTS watermark_lsn pg_lsn");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS replog.truncate_arrivals (
                        topic      text    NOT NULL,
                        source_lsn pg_lsn  NOT NULL,
                        partition  integer NOT NULL,
                        PRIMARY KEY (topic, source_lsn, partition))""");
        }
    }

    public static Map<TopicPartition, Long> load(Connection c, Collection<TopicPartition> partitions) throws SQLException {
        Map<TopicPartition, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT kafka_offset FROM replog.positions WHERE topic = ? AND partition = ?")) {
            for (TopicPartition tp : partitions) {
                ps.setString(1, tp.topic());
                ps.setInt(2, tp.partition());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.put(tp, rs.getLong(1));
                    }
                }
            }
        }
        return out;
    }

    /** Source order of the last applied change per partition, for recognising replayed changes. */
    public static Map<TopicPartition, SourceOrder> loadAppliedOrders(Connection c, Collection<TopicPartition> partitions) throws SQLException {
        Map<TopicPartition, SourceOrder> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT applied_order FROM replog.positions WHERE topic = ? AND partition = ? AND applied_order IS NOT NULL")) {
            for (TopicPartition tp : partitions) {
                ps.setString(1, tp.topic());
                ps.setInt(2, tp.partition());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.put(tp, SourceOrder.decode(rs.getString(1)));
                    }
                }
            }
        }
        return out;
    }

    public static void save(Connection c, Map<TopicPartition, Position> positions) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO replog.positions (topic, partition, kafka_offset, source_lsn, applied_order, applied_at)
                VALUES (?, ?, ?, ?::pg_lsn, ?, now())
                ON CONFLICT (topic, partition) DO UPDATE
                SET kafka_offset = EXCLUDED.kafka_offset,
                    source_lsn = COALESCE(EXCLUDED.source_lsn, replog.positions.source_lsn),
                    applied_order = COALESCE(EXCLUDED.applied_order, replog.positions.applied_order),
                    applied_at = EXCLUDED.applied_at""")) {
            for (Map.Entry<TopicPartition, Position> e : positions.entrySet()) {
                ps.setString(1, e.getKey().topic());
                ps.setInt(2, e.getKey().partition());
                ps.setLong(3, e.getValue().offset());
                ps.setString(4, e.getValue().lsn() == null ? null : e.getValue().lsn().toString());
                ps.setString(5, e.getValue().applied() == null ? null : e.getValue().applied().encode());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Records the watermarks a row-mode batch passed, after {@link #save} wrote their partitions'
     * positions in the same transaction. Never back: a restarted capture may write lower ones again.
     */
    public static void saveWatermarks(Connection c, Map<TopicPartition, Lsn> watermarks) throws SQLException {
        if (watermarks.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE replog.positions SET watermark_lsn = GREATEST(watermark_lsn, ?::pg_lsn)
                WHERE topic = ? AND partition = ?""")) {
            for (Map.Entry<TopicPartition, Lsn> e : watermarks.entrySet()) {
                ps.setString(1, e.getValue().toString());
                ps.setString(2, e.getKey().topic());
                ps.setInt(3, e.getKey().partition());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Positions for partitions nothing was applied from yet, so that an applier starts each after the
     * given offset (a rebuild starting a table at its newest complete copy).
     */
    public static void startAfter(Connection c, Map<TopicPartition, Long> offsets) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO replog.positions (topic, partition, kafka_offset, applied_at) VALUES (?, ?, ?, now())
                ON CONFLICT (topic, partition) DO UPDATE SET kafka_offset = EXCLUDED.kafka_offset, source_lsn = NULL,
                    applied_order = NULL, watermark_lsn = NULL, applied_at = EXCLUDED.applied_at""")) {
            for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
                ps.setString(1, e.getKey().topic());
                ps.setInt(2, e.getKey().partition());
                ps.setLong(3, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Moves one partition's position forward to an offset (never back), leaving the others alone. */
    static void advance(Connection c, String topic, int partition, long offset, Lsn lsn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO replog.positions (topic, partition, kafka_offset, source_lsn, applied_at)
                VALUES (?, ?, ?, ?::pg_lsn, now())
                ON CONFLICT (topic, partition) DO UPDATE
                SET kafka_offset = GREATEST(replog.positions.kafka_offset, EXCLUDED.kafka_offset),
                    applied_at = EXCLUDED.applied_at""")) {
            ps.setString(1, topic);
            ps.setInt(2, partition);
            ps.setLong(3, offset);
            ps.setString(4, lsn == null ? null : lsn.toString());
            ps.executeUpdate();
        }
    }
}
