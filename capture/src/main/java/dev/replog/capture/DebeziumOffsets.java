package dev.replog.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.topology.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/**
 * Whether this capture's offset topic says its initial snapshot is complete: Debezium's engine has
 * stored an offset (it streams only once {@link CopySnapshot}'s copy is complete), or the copy wrote
 * its own record there when it completed ({@link #copyComplete}), under a key of the engine's name
 * that Debezium never reads (its own keys name {@code {"server": <prefix>}}).
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

    /** Records in the offset topic that the copy of slot {@code slot}, which started at {@code consistentPoint}, is complete. */
    static void copyComplete(KafkaSettings kafka, String topic, String engineName, String slot, String consistentPoint) {
        Properties p = kafka.producerConfig();
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        String key = JSON.createArrayNode().add(engineName).add(JSON.createObjectNode().put("replog.copy.snapshot", slot)).toString();
        String value = JSON.createObjectNode().put("consistent_point", consistentPoint).toString();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8))).get();
        } catch (ExecutionException e) {
            throw new CaptureException("cannot record the complete copy snapshot in " + topic + ": " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptureException("interrupted while recording the complete copy snapshot in " + topic, e);
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
