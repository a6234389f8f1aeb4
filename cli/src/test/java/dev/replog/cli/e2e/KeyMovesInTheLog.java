package dev.replog.cli.e2e;

import dev.replog.schemas.LogHeaders;
import dev.replog.testkit.Await;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Reads a table topic to see where the two halves of each primary-key update went. */
final class KeyMovesInTheLog {

    private KeyMovesInTheLog() {
    }

    /** How many primary-key updates have their delete (old key) and create (new key) in different partitions. */
    static int crossPartitions(Replication r, String topic) {
        Map<String, Integer> deletes = new HashMap<>();
        Map<String, Integer> creates = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(r.kafka().clientConfig(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            Await.until("topic " + topic + " read to its end", Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
                    String lsn = header(rec, LogHeaders.LSN);
                    if (header(rec, LogHeaders.KEY_NEW) != null) {
                        deletes.put(lsn, rec.partition());
                    } else if (header(rec, LogHeaders.KEY_OLD) != null) {
                        creates.put(lsn, rec.partition());
                    }
                }
                return parts.stream().allMatch(tp -> c.position(tp) >= end.get(tp));
            });
        }
        if (!deletes.keySet().equals(creates.keySet())) {
            throw new AssertionError("key moves without their other half: deletes " + deletes + ", creates " + creates);
        }
        return (int) deletes.keySet().stream().filter(lsn -> !Objects.equals(deletes.get(lsn), creates.get(lsn))).count();
    }

    private static String header(ConsumerRecord<byte[], byte[]> rec, String name) {
        Header h = rec.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
