package dev.replog.applier.rebuild;

import dev.replog.applier.ApplierSettings;
import dev.replog.schemas.compact.LogDecoder;
import dev.replog.schemas.compact.SchemaLookup;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads committed records of one partition of the log in offset order, a poll at a time, without a
 * consumer group: what a rebuild needs to know about the log before it replays it.
 */
final class LogReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final SchemaLookup schemas;

    LogReader(ApplierSettings s) {
        Properties p = s.kafka().clientConfig();
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("fetch.max.bytes", Integer.toString(s.fetchMaxBytes()));
        p.put("max.partition.fetch.bytes", Integer.toString(Math.min(8 * 1024 * 1024, s.fetchMaxBytes())));
        p.put("client.id", "replog-rebuild-" + s.groupId());
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.schemas = s.logSchemas();
    }

    /** A decoder of either log format, its schemas shared by every decoder of this reader. */
    LogDecoder decoder() {
        return new LogDecoder(schemas);
    }

    Map<TopicPartition, Long> beginnings(List<TopicPartition> partitions) {
        return consumer.beginningOffsets(partitions);
    }

    Map<TopicPartition, Long> ends(List<TopicPartition> partitions) {
        return consumer.endOffsets(partitions);
    }

    int partitionCount(String topic) {
        var infos = consumer.partitionsFor(topic);
        return infos == null ? 0 : infos.size();
    }

    Set<String> topics() {
        return consumer.listTopics().keySet();
    }

    /**
     * Hands each record of the partition from {@code from} up to its end, as the end was when the
     * read reached it, to {@code visit} until it returns false.
     *
     * @return true if {@code visit} stopped the read, false if the end was reached
     */
    boolean read(TopicPartition tp, long from, Predicate<ConsumerRecord<byte[], byte[]>> visit) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        while (true) {
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            if (consumer.position(tp) >= end) {
                return false;
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500)).records(tp)) {
                if (!visit.test(r)) {
                    return true;
                }
            }
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
