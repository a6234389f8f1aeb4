package dev.replog.applier.deadletter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code replog.dead_letters} on the follower: events skipped under {@code apply.on.error=skip}.
 * A row is written in the transaction that moves the position past its event, so an event is
 * either applied, or listed here, never neither.
 */
public final class DeadLetterStore {

    private DeadLetterStore() {
    }

    public static void createIfMissing(Connection c) throws SQLException {
        PoisonColumns.createTable(c, "replog.dead_letters", "topic, partition, kafka_offset");
    }

    public static void insert(Connection c, PoisonEvent e) throws SQLException {
        PoisonColumns.insert(c, "replog.dead_letters", e);
    }

    /**
     * The dead letters, oldest first.
     *
     * @param topic  only this topic's, or all if null
     * @param offset only those at this offset, or all if null
     */
    public static List<PoisonEvent> list(Connection c, String topic, Long offset) throws SQLException {
        if (!PoisonColumns.tableExists(c, "replog.dead_letters")) {
            return List.of();
        }
        List<PoisonEvent> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + PoisonColumns.selectList()
                + " FROM replog.dead_letters WHERE (?::text IS NULL OR topic = ?) AND (?::bigint IS NULL OR kafka_offset = ?)"
                + " ORDER BY failed_at, topic, partition, kafka_offset")) {
            ps.setString(1, topic);
            ps.setString(2, topic);
            ps.setObject(3, offset, java.sql.Types.BIGINT);
            ps.setObject(4, offset, java.sql.Types.BIGINT);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(PoisonColumns.read(rs));
                }
            }
        }
        return out;
    }

    /** How many dead letters each table topic has (topics without any left out). */
    public static Map<String, Long> countByTopic(Connection c) throws SQLException {
        Map<String, Long> out = new HashMap<>();
        if (!PoisonColumns.tableExists(c, "replog.dead_letters")) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT topic, count(*) FROM replog.dead_letters GROUP BY topic");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /**
     * The skipped events the follower's positions have not passed yet: the only ones an applier can
     * meet again, so what it loads at start does not grow with the history of dead letters.
     */
    public static List<PoisonEvent> ahead(Connection c) throws SQLException {
        if (!PoisonColumns.tableExists(c, "replog.dead_letters")) {
            return List.of();
        }
        List<PoisonEvent> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + PoisonColumns.selectList("d")
                + " FROM replog.dead_letters d LEFT JOIN replog.positions p ON p.topic = d.topic AND p.partition = d.partition"
                + " WHERE p.kafka_offset IS NULL OR d.kafka_offset > p.kafka_offset");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(PoisonColumns.read(rs));
            }
        }
        return out;
    }

    static void delete(Connection c, PoisonEvent e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM replog.dead_letters WHERE topic = ? AND partition = ? AND kafka_offset = ?")) {
            ps.setString(1, e.topic());
            ps.setInt(2, e.partition());
            ps.setLong(3, e.offset());
            ps.executeUpdate();
        }
    }
}
