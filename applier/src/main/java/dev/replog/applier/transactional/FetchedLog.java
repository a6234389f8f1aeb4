package dev.replog.applier.transactional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

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
 * leader's commit order, which is not the order Kafka hands the partitions over. Each queue's heap
 * cost is counted in bytes, so the applier can hold the whole log's queues to a byte budget.
 */
public final class FetchedLog {

    private final String transactionsTopic;
    private final Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> partitions = new LinkedHashMap<>();
    private final Map<String, List<TopicPartition>> byTopic = new HashMap<>();
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> transactions = new ArrayDeque<>();
    private final Map<TopicPartition, Long> bytes = new HashMap<>();
    private long transactionBytes;
    private long totalBytes;

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
            long size = heapBytes(r);
            totalBytes += size;
            if (r.topic().equals(transactionsTopic)) {
                transactions.add(r);
                transactionBytes += size;
            } else {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                partitions.get(tp).add(r);
                bytes.merge(tp, size, Long::sum);
            }
        }
    }

    ConsumerRecord<byte[], byte[]> head(TopicPartition tp) {
        return partitions.get(tp).peek();
    }

    ConsumerRecord<byte[], byte[]> pop(TopicPartition tp) {
        ConsumerRecord<byte[], byte[]> r = partitions.get(tp).poll();
        if (r != null) {
            long size = heapBytes(r);
            totalBytes -= size;
            bytes.merge(tp, -size, Long::sum);
        }
        return r;
    }

    /** The next record of the transactions topic, taken off its queue; null if none is fetched. */
    ConsumerRecord<byte[], byte[]> popTransaction() {
        ConsumerRecord<byte[], byte[]> r = transactions.poll();
        if (r != null) {
            long size = heapBytes(r);
            totalBytes -= size;
            transactionBytes -= size;
        }
        return r;
    }

    int transactionsQueued() {
        return transactions.size();
    }

    /** Heap bytes held by this partition's queue (the transactions topic's for its partition). */
    long queuedBytes(TopicPartition tp) {
        return tp.topic().equals(transactionsTopic) ? transactionBytes : bytes.getOrDefault(tp, 0L);
    }

    /** Heap bytes held by every queue together. */
    long totalBytes() {
        return totalBytes;
    }

    /**
     * What a fetched record costs on the heap: its key and value arrays and its headers, plus a
     * rough constant for the record object and the queue's bookkeeping.
     */
    static long heapBytes(ConsumerRecord<byte[], byte[]> r) {
        long size = 256;
        size += r.key() == null ? 0 : r.key().length;
        size += r.value() == null ? 0 : r.value().length;
        for (Header h : r.headers()) {
            size += 48 + 2L * h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return size;
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

    boolean isEmpty() {
        return transactions.isEmpty() && partitions.values().stream().allMatch(ArrayDeque::isEmpty);
    }

    /** Drops everything fetched: the consumer is about to be positioned again from the follower. */
    void clear() {
        partitions.values().forEach(ArrayDeque::clear);
        transactions.clear();
        bytes.clear();
        transactionBytes = 0;
        totalBytes = 0;
    }
}
