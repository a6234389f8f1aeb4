package dev.replog.cli.status;

import dev.replog.applier.LogRecords;
import dev.replog.schemas.EventFormatException;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TransactionBoundary;
import dev.replog.schemas.compact.LogDecoder;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.SchemaTopicLookup;
import dev.replog.topology.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * The commit LSN of the last leader transaction capture published: the {@code replog.lsn} header of
 * the last END in {@code <prefix>.transactions} (one partition). Only the topic's tail is read, with
 * a read-committed consumer, so what a capture batch left open or aborted does not count.
 */
final class LastPublished {

    /** Offsets read back from the end: capture's heartbeat transactions end often, so the tail holds an END. */
    private static final int TAIL = 256;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private LastPublished() {
    }

    /** @return the LSN, or null if the topic does not exist or its tail holds no END */
    static Lsn read(KafkaSettings kafka, TopicNames topics) {
        Properties p = kafka.clientConfig();
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("client.id", "replog-status-" + topics.prefix());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            if (!consumer.listTopics(TIMEOUT).containsKey(topics.transactions())) {
                return null;
            }
            TopicPartition tp = new TopicPartition(topics.transactions(), 0);
            List<TopicPartition> one = List.of(tp);
            long end = consumer.endOffsets(one, TIMEOUT).get(tp);
            long start = Math.max(consumer.beginningOffsets(one, TIMEOUT).get(tp), end - TAIL);
            consumer.assign(one);
            consumer.seek(tp, start);
            LogDecoder decoder = new LogDecoder(new SchemaTopicLookup(kafka.clientConfig(), topics.schemas()));
            Lsn last = null;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    Lsn lsn = r.offset() < end && isEnd(r, decoder) ? LogRecords.lsn(r) : null;
                    if (lsn != null && (last == null || lsn.isAfter(last))) {
                        last = lsn;
                    }
                }
            }
            return last;
        }
    }

    /** In either log format. */
    private static boolean isEnd(ConsumerRecord<byte[], byte[]> r, LogDecoder decoder) {
        if (r.value() == null) {
            return false;
        }
        try {
            return decoder.decodeTransaction(r.value(), LogRecords.lsn(r)).kind() == TransactionBoundary.Kind.END;
        } catch (EventFormatException notATransaction) {
            return false;
        }
    }
}
