package dev.replog.applier.transactional;

import dev.replog.topology.TopicNames;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The partitions a transactional applier reads: every partition of every table topic, of the
 * heartbeat topic (their records are gathered into transactions) and of the transactions topic.
 */
public final class LogAssignment {

    private final TopicNames topics;

    LogAssignment(TopicNames topics) {
        this.topics = topics;
    }

    /**
     * Assigns the consumer every partition of the log as Kafka has it now, and tracks the gathered
     * ones. Nothing while the transactions topic does not exist: without it no transaction, and so no
     * snapshot, can ever be complete, and the table topics read meanwhile could not be committed.
     */
    Set<TopicPartition> assignAll(Consumer<byte[], byte[]> consumer, FetchedLog fetched) {
        Set<TopicPartition> all = new HashSet<>();
        Map<String, List<PartitionInfo>> existing = consumer.listTopics();
        if (!existing.containsKey(topics.transactions())) {
            consumer.assign(all);
            return all;
        }
        for (Map.Entry<String, List<PartitionInfo>> t : existing.entrySet()) {
            String topic = t.getKey();
            if (!isGathered(topic) && !topic.equals(topics.transactions())) {
                continue;
            }
            for (PartitionInfo p : t.getValue()) {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                all.add(tp);
                if (isGathered(topic)) {
                    fetched.track(tp);
                }
            }
        }
        consumer.assign(all);
        return all;
    }

    /** A topic of the log exists that the fetched log does not track yet (a table created on the leader). */
    boolean hasUntracked(Consumer<byte[], byte[]> consumer, FetchedLog fetched) {
        return consumer.listTopics().keySet().stream().anyMatch(t -> isGathered(t) && !fetched.tracks(t));
    }

    private boolean isGathered(String topic) {
        return topics.isTableTopic(topic) || topic.equals(topics.heartbeat());
    }
}
