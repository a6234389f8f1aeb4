package dev.replog.topology;

import dev.replog.schemas.compact.InMemorySchemas;
import dev.replog.schemas.compact.SchemaRecord;
import dev.replog.schemas.compact.SchemaStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * The compact format's schemas topic, {@code <prefix>.schemas} (schemas/README.md, "Schema ids and
 * the schemas topic"): one partition, compacted, unlimited retention; key a schema id's 16 hex
 * digits, value the schema's JSON. Capture creates it and reads it whole at start; readers look ids
 * up through {@link SchemaTopicLookup}. A consumer lives only for one read: the topic is read at
 * start and again only when a new table version appears.
 */
public final class SchemaTopic {

    /** The topic's one partition. */
    public static final int PARTITION = 0;

    private SchemaTopic() {
    }

    /** Creates the topic, or checks that an existing one has one partition. */
    public static void create(TopicProvisioner provisioner, String topic) {
        provisioner.ensureCompactedTopic(topic);
    }

    /** Every schema record in the topic (committed ones), read from its start to its end. */
    public static InMemorySchemas readAll(Properties clientConfig, String topic) {
        InMemorySchemas schemas = new InMemorySchemas();
        try (Reader reader = new Reader(clientConfig, topic)) {
            reader.readToEnd(0, schemas);
        }
        return schemas;
    }

    /** One consumer of the topic, without a group, reading committed records only. */
    static final class Reader implements AutoCloseable {

        private final String topic;
        private final TopicPartition partition;
        private final KafkaConsumer<byte[], byte[]> consumer;

        Reader(Properties clientConfig, String topic) {
            Properties p = new Properties();
            p.putAll(clientConfig);
            // Capture commits a schema record with or before the first record that uses it: a reader of
            // committed records finds every schema it meets.
            p.put("isolation.level", "read_committed");
            p.put("enable.auto.commit", "false");
            p.put("allow.auto.create.topics", "false");
            p.remove("group.id");
            p.putIfAbsent("client.id", "replog-schemas-" + topic);
            this.topic = topic;
            this.partition = new TopicPartition(topic, PARTITION);
            this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        /**
         * Reads from {@code from} to the topic's end as it is now into {@code into}.
         *
         * @return the offset after the last record read: where the next read starts
         */
        long readToEnd(long from, SchemaStore into) {
            if (consumer.partitionsFor(topic).isEmpty()) {
                throw new TopologyException("topic " + topic + " does not exist: the log's compact records name schemas kept "
                        + "there (capture with log.format=compact creates it; was it deleted?)");
            }
            consumer.assign(List.of(partition));
            consumer.seek(partition, from);
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500)).records(partition)) {
                    add(r, into);
                }
            }
            return consumer.position(partition);
        }

        private void add(ConsumerRecord<byte[], byte[]> r, SchemaStore into) {
            if (r.value() == null) {
                return; // a tombstone: nobody writes one, and compaction would drop it
            }
            SchemaRecord schema = SchemaRecord.of(r.value());
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            if (key == null || !key.equals(schema.id().hex())) {
                throw new TopologyException("topic " + topic + " partition " + PARTITION + " offset " + r.offset()
                        + ": schema record keyed " + key + " holds a schema whose id is " + schema.id()
                        + " (not written by Replog's capture?)");
            }
            into.add(schema);
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
