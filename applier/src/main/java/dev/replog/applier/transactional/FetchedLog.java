package dev.replog.applier.transactional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records fetched from Kafka and not yet applied, in log order: one queue per table partition and
 * one for the transactions topic. Transactional apply takes from the heads of these queues in the
 * leader's commit order, which is not the order Kafka hands the partitions over.
 */
public final class FetchedLog {

    private final String transactionsTopic;
    private final Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> partitions = new LinkedHashMap<>();
    private final Map<String, List<TopicPartition>> byTopic = new HashMap<>();
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> transactions = new ArrayDeque<>();

    FetchedLog(String transactionsTopic) {
        this.transactionsTopic = transactionsTopic;
    }

    /** Starts a queue for a table partition (every partition of a topic must be tracked for its barriers). */
    void track(TopicPartition tp) {
        if (partitions.putIfAbsent(tp, new ArrayDeque<>()) == null) {
            byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp);
        }
    }

    boolean tracks(String topic) {
        return byTopic.containsKey(topic);
    }

    void add(ConsumerRecords<byte[], byte[]> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.topic().equals(transactionsTopic)) {
                transactions.add(r);
            } else {
                partitions.get(new TopicPartition(r.topic(), r.partition())).add(r);
            }
        }
    }

    ConsumerRecord<byte[], byte[]> head(TopicPartition tp) {
        return partitions.get(tp).peek();
    }

    ConsumerRecord<byte[], byte[]> pop(TopicPartition tp) {
        return partitions.get(tp).poll();
    }

    int queued(TopicPartition tp) {
        return partitions.get(tp).size();
    }

    Set<TopicPartition> partitions() {
        return partitions.keySet();
    }

    Collection<String> topics() {
        return byTopic.keySet();
    }

    List<TopicPartition> partitionsOf(String topic) {
        return byTopic.getOrDefault(topic, List.of());
    }

    ArrayDeque<ConsumerRecord<byte[], byte[]>> transactions() {
        return transactions;
    }

    boolean isEmpty() {
        return transactions.isEmpty() && partitions.values().stream().allMatch(ArrayDeque::isEmpty);
    }

    /** Drops everything fetched: the consumer is about to be positioned again from the follower. */
    void clear() {
        partitions.values().forEach(ArrayDeque::clear);
        transactions.clear();
    }
}
