package dev.replog.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.topology.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Whether Debezium's engine has stored an offset for this capture in its offset topic: then it has
 * streamed from the slot, which {@link CopySnapshot} lets it do only once its copy is complete.
 */
final class DebeziumOffsets {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DebeziumOffsets() {
    }

    /** @param engineName the engine's {@code name} property; @param topic its offset topic */
    static boolean stored(KafkaSettings kafka, String topic, String engineName) {
        Properties p = kafka.clientConfig();
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("enable.auto.commit", "false");
        p.put("isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            boolean stored = false;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    if (isOf(r.key(), engineName)) {
                        stored = r.value() != null;
                    }
                }
            }
            return stored;
        }
    }

    /** Debezium's offset keys are {@code ["<engine name>", {<partition>}]}. */
    private static boolean isOf(byte[] key, String engineName) {
        if (key == null) {
            return false;
        }
        try {
            JsonNode k = JSON.readTree(key);
            return k.isArray() && k.size() > 0 && engineName.equals(k.get(0).asText());
        } catch (IOException e) {
            return false;
        }
    }
}
