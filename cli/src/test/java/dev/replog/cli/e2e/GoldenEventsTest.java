package dev.replog.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replog.schemas.LogFormat;
import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.TableId;
import dev.replog.schemas.compact.CompactWire;
import dev.replog.schemas.compact.ReplogCompactConverter;
import dev.replog.schemas.compact.SchemaId;
import dev.replog.testkit.Await;
import dev.replog.topology.SchemaTopicLookup;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replication log's format is a promise to every consumer: the events capture writes for each
 * operation are compared with the golden examples checked in under {@code schemas/golden/}, after
 * blanking what differs from run to run (positions, times, names of the test's own database).
 * Run with {@code -Dreplog.golden.update=true} to rewrite them after an intended format change.
 */
class GoldenEventsTest {

    private static final Path GOLDEN = Path.of("..", "schemas", "golden");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    private static final Set<String> VOLATILE_SOURCE = Set.of("ts_ms", "ts_us", "ts_ns", "lsn", "txId", "sequence", "xmin");

    /**
     * In the compact format each record is read back as JSON with schema through Replog's Kafka
     * Connect converter and the schemas topic (a schemaless one, id 0, is its JSON payload): a compact
     * log carries exactly the JSON format's events (the compact encoding of each golden event is
     * CompactGoldenEventsTest's).
     */
    @ParameterizedTest(name = "log.format={0}")
    @EnumSource(LogFormat.class)
    void capturedEventsOfEveryOperationMatchTheGoldenExamples(LogFormat format) throws Exception {
        TableId table = new TableId("public", "golden");
        try (Replication r = new Replication("golden", 1, List.of(table))) {
            r.logFormat(format);
            LogAsJson asJson = new LogAsJson(r);
            r.leader("CREATE TABLE golden (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), born date)",
                    "INSERT INTO golden VALUES (1, 'snapshot row', 9.99, '2020-02-29')");
            r.startCapture();
            // Capture streams while its snapshot still runs: wait for the snapshot row so the log's order is fixed.
            readAll(r, r.topics().forTable(table), 2);
            r.leader("INSERT INTO golden VALUES (2, 'inserted', NULL, '1999-12-31')",
                    "UPDATE golden SET name = 'updated', price = 12.50 WHERE id = 2",
                    "DELETE FROM golden WHERE id = 1",
                    "TRUNCATE golden",
                    "INSERT INTO golden VALUES (3, 'after truncate', 1, NULL)");
            List<ConsumerRecord<byte[], byte[]>> records = readAll(r, r.topics().forTable(table), 8);
            String[] names = {"s-schema-change", "r-snapshot-read", "c-create", "u-update", "d-delete", "tombstone", "t-truncate", "c-create-after-truncate"};
            for (int i = 0; i < names.length; i++) {
                ConsumerRecord<byte[], byte[]> rec = records.get(i);
                String actual = render(asJson.of(rec), r.topics().prefix(), r.captureSettings().leader().database());
                compareWithGolden(names[i], actual);
                if (rec.value() != null && i > 0) {
                    Set<String> headers = new TreeSet<>();
                    for (Header h : rec.headers()) {
                        headers.add(h.key());
                    }
                    assertTrue(headers.containsAll(Set.of(LogHeaders.FORMAT, LogHeaders.LSN, LogHeaders.TX_ID)), names[i] + ": " + headers);
                }
            }
            // Capture's watermarks come between those records, wherever a batch ended or a timer wrote one.
            ConsumerRecord<byte[], byte[]> watermark = read(r, r.topics().forTable(table), 1, Replication::isWatermark).get(0);
            compareWithGolden("w-watermark", render(asJson.of(watermark), r.topics().prefix(), r.captureSettings().leader().database()));
            assertEquals(format.header(), header(watermark, LogHeaders.FORMAT));
            assertEquals(header(watermark, LogHeaders.LSN), header(watermark, LogHeaders.WATERMARK));
            assertNull(header(watermark, LogHeaders.TX_ID), "a watermark belongs to no leader transaction");
        }
    }

    /**
     * A definition lists the user types its columns use, in dependency order, so that a follower can
     * create them. (s-schema-change-domain.json is an older capture's definition, domains per column,
     * which Replog still reads: GoldenEventsDecodeTest.)
     */
    @Test
    void schemaChangeOfATableWithUserTypesMatchesItsGoldenExample() throws Exception {
        TableId table = new TableId("public", "priced");
        try (Replication r = new Replication("golden_user_types", 1, List.of(table))) {
            r.leader("CREATE EXTENSION IF NOT EXISTS hstore",
                    "CREATE DOMAIN price AS numeric(10,2) NOT NULL DEFAULT 0 CONSTRAINT non_negative CHECK (VALUE >= 0)",
                    "CREATE DOMAIN code AS varchar(5) COLLATE \"C\"",
                    "CREATE TYPE \"Tier\" AS ENUM ('a,b', 'it''s')",
                    "CREATE TYPE offer AS (tier \"Tier\", amounts price[])",
                    "CREATE TYPE tier_range AS RANGE (subtype = \"Tier\")",
                    "CREATE TABLE priced (id int PRIMARY KEY, amount price, skus code[], offers offer[], tiers tier_range, "
                            + "attrs hstore)",
                    "INSERT INTO priced VALUES (1, 9.99, '{AB}', NULL, NULL, NULL)");
            r.startCapture();
            ConsumerRecord<byte[], byte[]> schemaChange = readAll(r, r.topics().forTable(table), 2).get(0);
            compareWithGolden("s-schema-change-user-types", render(schemaChange, r.topics().prefix(),
                    r.captureSettings().leader().database()));
        }
    }

    /** The first {@code expected} changes of the topic's only partition, capture's watermarks left out. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(Replication r, String topic, int expected) {
        return read(r, topic, expected, rec -> !Replication.isWatermark(rec));
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(Replication r, String topic, int expected,
                                                             Predicate<ConsumerRecord<byte[], byte[]>> wanted) {
        Properties p = r.kafka().clientConfig();
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition only = new TopicPartition(topic, 0);
            Await.until("topic " + topic + " exists", Duration.ofSeconds(60),
                    () -> c.listTopics(Duration.ofSeconds(5)).containsKey(topic));
            c.assign(List.of(only));
            c.seekToBeginning(List.of(only));
            Await.until(expected + " records on " + topic, Duration.ofSeconds(60), () -> {
                c.poll(Duration.ofMillis(200)).forEach(rec -> {
                    if (wanted.test(rec)) {
                        out.add(rec);
                    }
                });
                if (out.size() < expected) {
                    throw new IllegalStateException(out.size() + " records so far; end offsets " + c.endOffsets(List.of(only)));
                }
                return true;
            });
        }
        return out;
    }

    /** Key and value of a record, pretty-printed, with what differs between runs blanked. */
    private static String render(ConsumerRecord<byte[], byte[]> rec, String prefix, String database) throws IOException {
        ObjectNode doc = JSON.createObjectNode();
        doc.set("key", rec.key() == null ? null : JSON.readTree(rec.key()));
        JsonNode value = rec.value() == null ? null : JSON.readTree(rec.value());
        if (value != null) {
            ObjectNode payload = (ObjectNode) value.get("payload");
            for (String f : List.of("ts_ms", "ts_us", "ts_ns")) {
                if (payload.hasNonNull(f)) {
                    payload.put(f, 0);
                }
            }
            ObjectNode source = (ObjectNode) payload.get("source");
            VOLATILE_SOURCE.forEach(f -> {
                if (source.hasNonNull(f)) {
                    source.put(f, f.equals("sequence") ? "<sequence>" : "0");
                }
            });
            if (payload.path("definition").has("leaderOid")) {
                ((ObjectNode) payload.get("definition")).put("leaderOid", 0);
            }
            if (payload.hasNonNull("transaction")) {
                ((ObjectNode) payload.get("transaction")).put("id", "<txid:lsn>");
            }
        }
        doc.set("value", value);
        return JSON.writeValueAsString(doc).replace(prefix + ".", "<prefix>.").replace("\"" + prefix + "\"", "\"<prefix>\"")
                .replace("\"" + database + "\"", "\"<database>\"") + "\n";
    }

    private static String header(ConsumerRecord<byte[], byte[]> rec, String name) {
        Header h = rec.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void compareWithGolden(String name, String actual) throws IOException {
        Path file = GOLDEN.resolve(name + ".json");
        if (Boolean.getBoolean("replog.golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(file), "golden example " + file + " is missing; run with -Dreplog.golden.update=true");
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual,
                "the log format changed for " + name + ": if intended, update schemas/golden with -Dreplog.golden.update=true and schemas/README.md");
    }
}
