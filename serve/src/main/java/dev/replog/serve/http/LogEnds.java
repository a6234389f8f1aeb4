package dev.replog.serve.http;

import dev.replog.topology.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Partition counts and committed end offsets of the table topics, read at most once a second per topic. */
final class LogEnds implements AutoCloseable {

    private static final long REFRESH_MS = 1_000;

    private final Admin admin;
    private final Map<String, Long> readAt = new HashMap<>();
    private final Map<TopicPartition, Long> ends = new HashMap<>();
    private final Map<String, Integer> partitions = new HashMap<>();

    LogEnds(KafkaSettings kafka) {
        this.admin = Admin.create(kafka.clientConfig());
    }

    synchronized int partitionCount(String topic) {
        refresh(topic);
        return partitions.getOrDefault(topic, 0);
    }

    /** The offset after the partition's last committed record (a transaction's commit marker included), -1 if unknown. */
    synchronized long end(String topic, int partition) {
        refresh(topic);
        return ends.getOrDefault(new TopicPartition(topic, partition), -1L);
    }

    private void refresh(String topic) {
        long now = System.currentTimeMillis();
        if (now - readAt.getOrDefault(topic, 0L) < REFRESH_MS) {
            return;
        }
        readAt.put(topic, now);
        try {
            TopicDescription d = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS).get(topic);
            partitions.put(topic, d.partitions().size());
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(5, TimeUnit.SECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
        } catch (ExecutionException | TimeoutException e) {
            // Not there yet, or Kafka unreachable: the last figures stand (status shows them as they are).
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
