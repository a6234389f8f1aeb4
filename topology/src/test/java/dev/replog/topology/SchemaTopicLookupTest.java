package dev.replog.topology;

import dev.replog.schemas.compact.SchemaId;
import dev.replog.schemas.compact.SchemaRecord;
import dev.replog.testkit.TestServers;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaTopicLookupTest {

    private static KafkaSettings kafka;
    private static Admin admin;

    @BeforeAll
    static void kafka() {
        kafka = KafkaSettings.plaintext(TestServers.get().kafka().bootstrapServers());
        admin = Admin.create(kafka.clientConfig());
    }

    @AfterAll
    static void close() {
        admin.close();
    }

    private static String newTopic() {
        String topic = new TopicNames("schemas-" + UUID.randomUUID().toString().substring(0, 8)).schemas();
        SchemaTopic.create(new TopicProvisioner(admin, new TopicSettings(1, (short) 1, -1)), topic);
        return topic;
    }

    private static SchemaRecord schema(String name) {
        return SchemaRecord.of(("{\"type\":\"struct\",\"fields\":[],\"optional\":false,\"name\":\"" + name + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Writes schema records in one Kafka transaction, committed or aborted, as capture does. */
    private static void write(String topic, boolean commit, SchemaRecord... schemas) {
        Properties p = kafka.producerConfig();
        p.put("transactional.id", "schemas-test-" + UUID.randomUUID());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (SchemaRecord s : schemas) {
                producer.send(new ProducerRecord<>(topic, SchemaTopic.PARTITION, s.key(), s.json()));
            }
            producer.flush();
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.abortTransaction();
            }
        }
    }

    @Test
    void schemasTopicIsOnePartitionCompactedWithUnlimitedRetention() throws Exception {
        String topic = newTopic();
        var configs = admin.describeConfigs(java.util.List.of(new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic))).all().get().values().iterator().next();
        assertEquals("compact", configs.get("cleanup.policy").value());
        assertEquals("-1", configs.get("retention.ms").value());
        assertEquals(1, admin.describeTopics(java.util.List.of(topic)).allTopicNames().get().get(topic).partitions().size());
    }

    @Test
    void findsSchemasWrittenBeforeAndAfterItsFirstRead() {
        String topic = newTopic();
        SchemaRecord first = schema("first");
        SchemaRecord later = schema("later");
        write(topic, true, first);
        SchemaTopicLookup lookup = new SchemaTopicLookup(kafka.clientConfig(), topic);
        assertArrayEquals(first.json(), lookup.schemaJson(first.id()));
        write(topic, true, later);
        assertArrayEquals(later.json(), lookup.schemaJson(later.id()), "an id not known yet is read on to the topic's new end");
    }

    @Test
    void readAllHoldsCommittedSchemasOnly() {
        String topic = newTopic();
        SchemaRecord committed = schema("committed");
        SchemaRecord aborted = schema("aborted");
        write(topic, true, committed);
        write(topic, false, aborted);
        var all = SchemaTopic.readAll(kafka.clientConfig(), topic);
        assertTrue(all.contains(committed.id()));
        assertFalse(all.contains(aborted.id()), "a batch that is aborted takes its schema records with it");
        assertEquals(1, all.size());
    }

    @Test
    void unknownIdFailsNamingTheTopicPartitionOffsetAndId() {
        String topic = newTopic();
        write(topic, true, schema("one"), schema("two"));
        SchemaId missing = schema("missing").id();
        SchemaTopicLookup lookup = new SchemaTopicLookup(kafka.clientConfig(), topic, Duration.ofMillis(500));
        TopologyException e = assertThrows(TopologyException.class, () -> lookup.schemaJson(missing));
        assertTrue(e.getMessage().contains("schema id " + missing + " is not in topic " + topic + " partition 0 (read up to offset "),
                e.getMessage());
    }

    @Test
    void configuredAsKafkaConnectConfiguresItFindsTheTopicAndBrokers() {
        String topic = newTopic();
        SchemaRecord s = schema("connect");
        write(topic, true, s);
        SchemaTopicLookup lookup = new SchemaTopicLookup();
        lookup.configure(Map.of(SchemaTopicLookup.TOPIC_CONFIG, topic, "bootstrap.servers", kafka.bootstrapServers(),
                "schema.lookup.class", SchemaTopicLookup.class.getName()));
        assertArrayEquals(s.json(), lookup.schemaJson(s.id()));
    }

    @Test
    void missingTopicIsNamed() {
        String topic = new TopicNames("absent-" + UUID.randomUUID().toString().substring(0, 8)).schemas();
        SchemaTopicLookup lookup = new SchemaTopicLookup(kafka.clientConfig(), topic, Duration.ofMillis(100));
        TopologyException e = assertThrows(TopologyException.class, () -> lookup.schemaJson(schema("x").id()));
        assertTrue(e.getMessage().contains("topic " + topic + " does not exist"), e.getMessage());
    }
}
