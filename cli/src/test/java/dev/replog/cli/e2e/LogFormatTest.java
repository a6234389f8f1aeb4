package dev.replog.cli.e2e;

import dev.replog.capture.CaptureException;
import dev.replog.schemas.LogFormat;
import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.TableId;
import dev.replog.schemas.compact.CompactWire;
import dev.replog.schemas.compact.SchemaId;
import dev.replog.testkit.Await;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code log.format=compact} end to end: what capture writes (schemas/README.md, "What each kind of
 * record becomes"), a row-mode follower applying it, and a log that keeps the format it was created with.
 */
class LogFormatTest {

    private static final TableId ITEMS = new TableId("public", "items");

    @Test
    void aCompactLogHoldsEachSchemaOnceFramesEveryRecordAndAFollowerAppliesItKeyMovesIncluded() throws Exception {
        try (Replication r = new Replication("compact_log", 2, List.of(ITEMS))) {
            r.logFormat(LogFormat.COMPACT);
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(12,2), big text)",
                    "INSERT INTO items SELECT g, 'n' || g, g * 1.5, repeat('x', 5000) FROM generate_series(1, 200) g");
            r.startCapture();
            r.startApplier();
            r.leader("UPDATE items SET name = 'renamed' WHERE id <= 50",
                    "UPDATE items SET id = id + 1000 WHERE id = 7", // a key move: the TOASTed big value is in neither half
                    "DELETE FROM items WHERE id = 8",
                    "ALTER TABLE items ADD COLUMN note text",
                    "INSERT INTO items (id, name, note) VALUES (300, 'after', 'new version')");
            r.awaitFollowerMatchesLeader();

            String topic = r.topics().forTable(ITEMS);
            List<ConsumerRecord<byte[], byte[]>> records = r.allRecords(topic, "read_committed");
            Set<SchemaId> used = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> rec : records) {
                assertEquals(CompactWire.FORMAT_VERSION, new String(rec.headers().lastHeader(LogHeaders.FORMAT).value(),
                        StandardCharsets.UTF_8), "replog.format of offset " + rec.offset());
                if (rec.value() != null) {
                    assertTrue(CompactWire.isCompact(rec.value()), "value of offset " + rec.offset() + " is framed");
                    used.add(CompactWire.schemaId(rec.value(), "value"));
                }
                if (rec.key() != null) {
                    assertTrue(CompactWire.isCompact(rec.key()), "key of offset " + rec.offset() + " is framed");
                    used.add(CompactWire.schemaId(rec.key(), "key"));
                }
            }
            used.remove(SchemaId.NONE); // watermarks and schema changes
            List<ConsumerRecord<byte[], byte[]>> schemaRecords = r.allRecords(r.topics().schemas(), "read_committed");
            Set<SchemaId> held = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> s : schemaRecords) {
                assertTrue(held.add(SchemaId.parse(new String(s.key(), StandardCharsets.UTF_8))),
                        "each schema is written once: " + new String(s.key(), StandardCharsets.UTF_8));
            }
            assertTrue(held.containsAll(used), "every schema id a record names is in " + r.topics().schemas());
            assertTrue(used.size() >= 3, "the key, the value before and after ALTER TABLE: " + used.size());
            assertTrue(r.allRecords(r.topics().transactions(), "read_committed").stream()
                    .allMatch(t -> t.value() == null || CompactWire.isCompact(t.value())), "transactions are compact too");

            r.stopCapture();
            r.logFormat(LogFormat.JSON);
            CaptureException refused = assertThrows(CaptureException.class, r::startCapture);
            assertTrue(refused.getMessage().contains("topic " + r.topics().schemas() + " exists"), refused.getMessage());
        }
    }

    @Test
    void aJsonLogRefusesACompactCaptureNamingItsTopics() throws Exception {
        try (Replication r = new Replication("json_log", 1, List.of(ITEMS))) {
            r.logFormat(LogFormat.JSON);
            r.leader("CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");
            r.startCapture();
            String topic = r.topics().forTable(ITEMS);
            Await.until("the snapshot row is in the log", Duration.ofSeconds(60), () -> r.records(topic, "read_committed") > 0);
            r.stopCapture();
            r.logFormat(LogFormat.COMPACT);
            CaptureException refused = assertThrows(CaptureException.class, r::startCapture);
            assertTrue(refused.getMessage().contains(topic), refused.getMessage());
        }
    }
}
