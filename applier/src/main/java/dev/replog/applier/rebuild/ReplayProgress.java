package dev.replog.applier.rebuild;

import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far a replay is per table, from the positions the applier stores in the follower with what
 * it applies: records up to the stored offset of each partition, out of the records between each
 * partition's first offset and its end when the rebuild started.
 */
final class ReplayProgress {

    /** Per table, its partitions' first offsets and ends. */
    private final Map<String, Map<TopicPartition, long[]>> extents = new TreeMap<>();

    ReplayProgress(List<TopicPartition> partitions, Map<TopicPartition, Long> begin, Map<TopicPartition, Long> end) {
        for (TopicPartition tp : partitions) {
            extents.computeIfAbsent(tp.topic(), t -> new HashMap<>()).put(tp, new long[]{begin.get(tp), end.get(tp)});
        }
    }

    /** Per table topic: records replayed and records to read. */
    Map<String, long[]> read(Connection c) throws SQLException {
        Map<String, long[]> out = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT partition, kafka_offset FROM replog.positions WHERE topic = ?")) {
            for (Map.Entry<String, Map<TopicPartition, long[]>> e : extents.entrySet()) {
                Map<Integer, Long> stored = new HashMap<>();
                ps.setString(1, e.getKey());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        stored.put(rs.getInt(1), rs.getLong(2));
                    }
                }
                long done = 0;
                long total = 0;
                for (Map.Entry<TopicPartition, long[]> p : e.getValue().entrySet()) {
                    long begin = p.getValue()[0];
                    long size = p.getValue()[1] - begin;
                    Long offset = stored.get(p.getKey().partition());
                    total += size;
                    done += offset == null ? 0 : Math.min(size, Math.max(0, offset + 1 - begin));
                }
                out.put(e.getKey(), new long[]{done, total});
            }
        }
        c.rollback();
        return out;
    }
}
