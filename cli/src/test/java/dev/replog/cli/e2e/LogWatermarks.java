package dev.replog.cli.e2e;

import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TransactionBoundary;
import dev.replog.schemas.compact.LogDecoder;
import dev.replog.testkit.Await;
import dev.replog.topology.SchemaTopicLookup;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Follows a log as a read-committed consumer from its start: the highest watermark seen in each
 * partition of some table topics, and the commit LSN (header) of each transaction END by xid.
 */
final class LogWatermarks implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String transactions;
    private final Map<String, List<TopicPartition>> partitions = new HashMap<>();
    private final Map<TopicPartition, Lsn> highest = new HashMap<>();
    private final Map<Long, Lsn> ends = new HashMap<>();
    private long watermarkRecords;
    /** Either log format's transaction records. */
    private final LogDecoder decoder;

    /** The topics must exist (a snapshot row creates a table's topic). */
    LogWatermarks(Replication r, List<String> tableTopics) {
        Properties p = r.kafka().clientConfig();
        p.put("isolation.level", "read_committed");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        transactions = r.topics().transactions();
        decoder = new LogDecoder(new SchemaTopicLookup(r.kafka().clientConfig(), r.topics().schemas()));
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : tableTopics) {
            Await.until("topic " + topic + " exists", Duration.ofSeconds(60),
                    () -> consumer.listTopics(Duration.ofSeconds(5)).containsKey(topic));
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            partitions.put(topic, parts);
            all.addAll(parts);
        }
        all.add(new TopicPartition(transactions, 0));
        consumer.assign(all);
        consumer.seekToBeginning(all);
    }

    /** Reads what has arrived (waits up to 100 ms). */
    void poll() {
        for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(100))) {
            if (rec.topic().equals(transactions)) {
                String xid = header(rec, LogHeaders.TX_ID);
                if (xid != null && rec.value() != null
                        && decoder.decodeTransaction(rec.value(), null).kind() == TransactionBoundary.Kind.END) {
                    ends.put(Long.parseLong(xid), Lsn.parse(header(rec, LogHeaders.LSN)));
                }
            } else if (Replication.isWatermark(rec)) {
                watermarkRecords++;
                Lsn w = Lsn.parse(header(rec, LogHeaders.WATERMARK));
                highest.merge(new TopicPartition(rec.topic(), rec.partition()), w, (a, b) -> b.isAfter(a) ? b : a);
            }
        }
    }

    /** The LSN header of transaction {@code xid}'s END, once capture has published it. */
    Lsn endOf(long xid) {
        Await.until("the END of transaction " + xid + " is in the log", Duration.ofSeconds(60), () -> {
            poll();
            return ends.containsKey(xid);
        });
        return ends.get(xid);
    }

    /** Whether every partition of the topic has a watermark at or past {@code lsn}. */
    boolean everyPartitionAtLeast(String topic, Lsn lsn) {
        return partitions.get(topic).stream().allMatch(tp -> highest.containsKey(tp) && !lsn.isAfter(highest.get(tp)));
    }

    /** Highest watermark per partition seen so far. */
    Map<TopicPartition, Lsn> highest() {
        return Map.copyOf(highest);
    }

    long watermarkRecords() {
        return watermarkRecords;
    }

    private static String header(ConsumerRecord<byte[], byte[]> rec, String name) {
        Header h = rec.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
