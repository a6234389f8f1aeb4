package dev.replog.applier;

import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How far a follower is behind the log: for every table-topic partition, the records in Kafka
 * beyond the position the follower has stored. Reads only; usable while the applier runs.
 */
public final class ApplyLag implements AutoCloseable {

    private final Admin admin;
    private final TopicNames topics;

    public ApplyLag(KafkaSettings kafka, TopicNames topics) {
        this.admin = Admin.create(kafka.clientConfig());
        this.topics = topics;
    }

    /** Records in the log not yet applied to the follower, summed over all table topics. */
    public long pendingRecords(Connection follower) throws SQLException {
        Map<TopicPartition, Long> ends = logEnds();
        Map<TopicPartition, Long> applied = appliedPositions(follower);
        long pending = 0;
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            long next = applied.getOrDefault(e.getKey(), -1L) + 1;
            pending += Math.max(0, e.getValue() - next);
        }
        return pending;
    }

    private Map<TopicPartition, Long> logEnds() {
        try {
            var names = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream().filter(topics::isTableTopic).toList();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (TopicDescription d : admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
                d.partitions().forEach(p -> request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                    : admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).entrySet()) {
                ends.put(e.getKey(), e.getValue().offset());
            }
            return ends;
        } catch (ExecutionException | TimeoutException e) {
            throw new ApplyException("cannot read log end offsets from Kafka: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApplyException("interrupted while reading log end offsets", e);
        }
    }

    private static Map<TopicPartition, Long> appliedPositions(Connection c) throws SQLException {
        Map<TopicPartition, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT topic, partition, kafka_offset FROM replog.positions");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return out; // the applier has not prepared this follower yet
            }
            throw e;
        }
        return out;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
