package dev.replog.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.applier.ApplyMode;
import dev.replog.capture.SnapshotMethod;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.topology.TopicProvisioner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code capture.snapshot.method=copy}: capture copies the tables with COPY at the exported snapshot
 * of the slot it creates, publishing the read events Debezium's snapshot would, and Debezium streams
 * from the slot's consistent point: no row lost or doubled at the handoff, also when capture is
 * stopped during the copy.
 */
class CopySnapshotTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableId ZOO = new TableId("public", "zoo");
    private static final TableId ITEMS = new TableId("public", "items");
    private static final String PG_TEXT = "dev.replog.PgText";

    @Test
    void copyPublishesTheReadEventsOfDebeziumsSnapshotForEveryTypeOfTheZoo() throws Exception {
        try (Replication debezium = new Replication("copy_zoo_dbz", 1, List.of(ZOO));
             Replication copy = new Replication("copy_zoo_copy", 1, List.of(ZOO))) {
            TypeZoo zoo = TypeZoo.of(TypeZoo.catalogTypes(debezium.leaderUrl()));
            for (Replication r : List.of(debezium, copy)) {
                r.leader(zoo.createTable("public.zoo"));
                r.leader(zoo.insertRows("public.zoo", 1).toArray(String[]::new));
            }
            copy.snapshotMethod(SnapshotMethod.COPY);
            copy.startApplier();
            debezium.startCapture();
            copy.startCapture();
            Map<String, ConsumerRecord<byte[], byte[]>> expected = readEvents(debezium, zoo.rows());
            Map<String, ConsumerRecord<byte[], byte[]>> actual = readEvents(copy, zoo.rows());
            assertEquals(expected.keySet(), actual.keySet());
            Map<String, String> declared = zoo.columns().stream().collect(Collectors.toMap(TypeZoo.Column::name, TypeZoo.Column::declared));
            try (Connection leader = DriverManager.getConnection(copy.leaderUrl())) {
                for (String key : expected.keySet()) {
                    assertSameEvent(expected.get(key), debezium.leaderDatabase(), actual.get(key), copy.leaderDatabase(), declared, leader);
                }
            }
            copy.awaitFollowerMatchesLeader();
        }
    }

    @Test
    void followerEqualsLeaderWhenClientsWriteDuringTheCopyWithNoRowLostOrDoubledInTheLogInBothApplyModesAndARestartCopiesNothingAgain() throws Exception {
        for (ApplyMode mode : List.of(ApplyMode.ROW, ApplyMode.TRANSACTIONAL)) {
            try (Replication r = new Replication("copy_writers_" + mode.name().toLowerCase(), 3, List.of(ITEMS))) {
                r.snapshotMethod(SnapshotMethod.COPY);
                r.mode(mode);
                // Large enough to be copied in key ranges by several readers at once; a dropped column leaves a gap.
                r.leader("CREATE TABLE items (id int PRIMARY KEY, gone int, n int NOT NULL, body text)",
                        "ALTER TABLE items DROP COLUMN gone",
                        "INSERT INTO items SELECT g, 0, 'row ' || g || repeat('x', 100) FROM generate_series(1, 12000) g");
                AtomicBoolean writing = new AtomicBoolean(true);
                AtomicLong writes = new AtomicLong();
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < 3; w++) {
                    int writer = w;
                    Thread t = new Thread(() -> write(r.leaderUrl(), writer, writing, writes), "writer-" + w);
                    t.start();
                    writers.add(t);
                }
                try {
                    Await.until("clients write", Duration.ofSeconds(30), () -> writes.get() > 50);
                    r.startApplier();
                    r.startCapture();
                    long atStreaming = writes.get();
                    Await.until("clients write while Debezium streams", Duration.ofSeconds(60), () -> writes.get() > atStreaming + 300);
                } finally {
                    writing.set(false);
                    for (Thread t : writers) {
                        t.join();
                    }
                }
                r.awaitFollowerMatchesLeader();
                if (mode == ApplyMode.ROW) {
                    // Restarted once Debezium streamed, capture resumes from Debezium's offset: no second copy (the
                    // replay below would find every row read twice).
                    r.stopCapture();
                    r.startCapture();
                    r.leader("UPDATE items SET n = n + 1 WHERE id = (SELECT min(id) FROM items)");
                    r.awaitFollowerMatchesLeader();
                }
                assertLogReplaysToTheLeaderWithEachRowOnce(r);
            }
        }
    }

    @Test
    void captureStoppedDuringTheCopyCopiesAgainFromANewSlotAndTheFollowerEndsEqualInBothApplyModes() throws Exception {
        for (ApplyMode mode : List.of(ApplyMode.ROW, ApplyMode.TRANSACTIONAL)) {
            try (Replication r = new Replication("copy_killed_" + mode.name().toLowerCase(), 2, List.of(ITEMS));
                 Admin admin = Admin.create(r.kafka().clientConfig())) {
                r.snapshotMethod(SnapshotMethod.COPY);
                r.mode(mode);
                // Small rows, then one too large for the topic as first configured: the copy publishes the first batch
                // (4,096 rows) and fails on the batch with the large row, again at each retry.
                r.leader("CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL, body text)",
                        "INSERT INTO items SELECT g, 0, 'row ' || g FROM generate_series(1, 5000) g",
                        "INSERT INTO items SELECT 5001, 0, string_agg(md5(g::text), '') FROM generate_series(1, 8000) g");
                String topic = r.topics().forTable(ITEMS);
                new TopicProvisioner(admin, r.captureSettings().topicSettings()).ensureTableTopic(topic);
                maxMessageBytes(admin, topic, 64 * 1024);
                r.startApplier();
                r.startCapture(false);
                Await.until("the copy's first batch is in the log", Duration.ofSeconds(60),
                        () -> r.records(topic, "read_committed") >= 4096);
                String firstSlotLsn = slotLsn(r);
                r.stopCapture(); // as killed: the slot is left, Debezium never stored an offset
                r.leader("DELETE FROM items WHERE id <= 100", "UPDATE items SET n = 1 WHERE id BETWEEN 101 AND 200",
                        "INSERT INTO items SELECT g, 2, 'later ' || g FROM generate_series(6001, 6100) g");
                maxMessageBytes(admin, topic, TopicProvisioner.MAX_RECORD_BYTES);
                r.startCapture();
                assertNotEquals(firstSlotLsn, slotLsn(r), "the slot was created again");
                r.leader("UPDATE items SET n = 3 WHERE id BETWEEN 201 AND 300", "DELETE FROM items WHERE id BETWEEN 301 AND 310");
                r.awaitFollowerMatchesLeader();
                assertEquals(0, Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM items WHERE id <= 100"), mode.toString());
            }
        }
    }

    private static String slotLsn(Replication r) {
        List<List<String>> rows = Sql.queryRows(r.leaderUrl(), "SELECT confirmed_flush_lsn::text FROM pg_replication_slots "
                + "WHERE slot_name = '" + r.leaderDatabase() + "'");
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }

    private static void maxMessageBytes(Admin admin, String topic, int bytes) throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(new AlterConfigOp(
                new ConfigEntry("max.message.bytes", Integer.toString(bytes)), AlterConfigOp.OpType.SET)))).all().get();
    }

    /** Inserts, updates and deletes items, one transaction each, until told to stop. */
    private static void write(String url, int writer, AtomicBoolean writing, AtomicLong writes) {
        try (Connection c = DriverManager.getConnection(url)) {
            int next = 1_000_000 * (writer + 1);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (writing.get()) {
                int op = random.nextInt(3);
                String sql = switch (op) {
                    case 0 -> "INSERT INTO items VALUES (" + next++ + ", 0, 'new')";
                    case 1 -> "UPDATE items SET n = n + 1 WHERE id = " + (1 + random.nextInt(12000));
                    default -> "DELETE FROM items WHERE id = " + (1 + random.nextInt(12000));
                };
                try (var s = c.createStatement()) {
                    s.execute(sql);
                }
                writes.incrementAndGet();
                Thread.sleep(2); // a steady load, not as many writes as the machine can take: the follower catches up sooner
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Replays the table's topic strictly: a read or create of a key already there, or an update or
     * delete of a key not there, is a row doubled or lost at the handoff; the result must be the
     * leader's rows.
     */
    private static void assertLogReplaysToTheLeaderWithEachRowOnce(Replication r) {
        Map<Long, Long> rows = new HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(asJson(r, r.topics().forTable(ITEMS)));
        records.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset));
        long snapshotRows = 0;
        for (ConsumerRecord<byte[], byte[]> rec : records) {
            JsonNode payload = payloadOf(rec);
            if (payload == null || !payload.has("op")) {
                continue;
            }
            String op = payload.get("op").asText();
            if (!Set.of("r", "c", "u", "d").contains(op)) {
                continue; // the table's definitions
            }
            JsonNode row = op.equals("d") ? payload.get("before") : payload.get("after");
            long id = row.get("id").asLong();
            switch (op) {
                case "r", "c" -> assertNull(rows.put(id, row.get("n").asLong()), "row " + id + " doubled (" + op + ")");
                case "u" -> assertTrue(rows.put(id, row.get("n").asLong()) != null, "update of row " + id + " not in the log");
                case "d" -> assertTrue(rows.remove(id) != null, "delete of row " + id + " not in the log");
                default -> throw new AssertionError(op);
            }
            if (op.equals("r")) {
                snapshotRows++;
            }
        }
        Map<Long, Long> leader = new TreeMap<>();
        for (List<String> row : Sql.queryRows(r.leaderUrl(), "SELECT id, n FROM items")) {
            leader.put(Long.parseLong(row.get(0)), Long.parseLong(row.get(1)));
        }
        assertTrue(snapshotRows > 0, "no snapshot rows in the log");
        assertEquals(leader, new TreeMap<>(rows));
    }

    /** The snapshot's read events of the zoo, by key payload; waits until all {@code rows} are in the log. */
    private static Map<String, ConsumerRecord<byte[], byte[]>> readEvents(Replication r, int rows) {
        String topic = r.topics().forTable(ZOO);
        Map<String, ConsumerRecord<byte[], byte[]>> events = new TreeMap<>();
        Await.until(rows + " read events in " + topic, Duration.ofSeconds(90), () -> {
            events.clear();
            for (ConsumerRecord<byte[], byte[]> rec : asJson(r, topic)) {
                JsonNode payload = payloadOf(rec);
                if (payload != null && payload.has("op") && payload.get("op").asText().equals("r")) {
                    assertNull(events.put(json(rec.key()).get("payload").toString(), rec), "a row read twice");
                }
            }
            return events.size() == rows;
        });
        return events;
    }

    /** Every committed record of the topic, in the JSON format whichever format the log has. */
    private static List<ConsumerRecord<byte[], byte[]>> asJson(Replication r, String topic) {
        LogAsJson log = new LogAsJson(r);
        return r.allRecords(topic, "read_committed").stream().map(log::of).toList();
    }

    private static JsonNode payloadOf(ConsumerRecord<byte[], byte[]> rec) {
        if (rec.value() == null || Replication.isWatermark(rec)) {
            return null;
        }
        JsonNode v = json(rec.value());
        return v.has("payload") ? v.get("payload") : null;
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Same key, same Connect schema of key and value (names carry each set-up's topic prefix), same
     * headers, a snapshot read of the same table, and the same values: Debezium's forms byte for byte,
     * PostgreSQL text ({@code dev.replog.PgText}) as the same value of the column's type (Debezium's
     * snapshot spells some of them its own way, e.g. timestamps with six fractional digits).
     */
    private static void assertSameEvent(ConsumerRecord<byte[], byte[]> expected, String expectedPrefix,
                                        ConsumerRecord<byte[], byte[]> actual, String actualPrefix,
                                        Map<String, String> declared, Connection leader) throws SQLException {
        assertEquals(normalized(expected.key(), expectedPrefix), normalized(actual.key(), actualPrefix), "key");
        JsonNode e = json(normalized(expected.value(), expectedPrefix).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        JsonNode a = json(normalized(actual.value(), actualPrefix).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(e.get("schema"), a.get("schema"), "value schema");
        assertEquals(headerNames(expected), headerNames(actual), "headers");
        JsonNode es = e.get("payload").get("source");
        JsonNode as = a.get("payload").get("source");
        for (String f : List.of("connector", "schema", "table")) {
            assertEquals(es.get(f), as.get(f), "source." + f);
        }
        assertNotEquals("false", as.get("snapshot").asText());
        Map<String, String> pgText = new HashMap<>();
        for (JsonNode field : e.get("schema").get("fields")) {
            if (field.get("field").asText().equals("after")) {
                for (JsonNode column : field.get("fields")) {
                    if (PG_TEXT.equals(column.path("name").asText())) {
                        pgText.put(column.get("field").asText(), "");
                    }
                }
            }
        }
        JsonNode ea = e.get("payload").get("after");
        JsonNode aa = a.get("payload").get("after");
        assertEquals(fieldNames(ea), fieldNames(aa));
        for (Iterator<String> it = ea.fieldNames(); it.hasNext(); ) {
            String column = it.next();
            JsonNode ev = ea.get(column);
            JsonNode av = aa.get(column);
            if (ev.equals(av)) {
                continue;
            }
            String where = "column " + column + " of row " + json(actual.key()).get("payload");
            assertTrue(pgText.containsKey(column) && !ev.isNull() && !av.isNull(), where + ": " + ev + " vs " + av);
            assertTrue(sameValue(leader, declared.get(column), ev.asText(), av.asText()), where + ": " + ev + " vs " + av);
        }
    }

    /** Whether two texts are the same value of this type (printed back by PostgreSQL alike). */
    private static boolean sameValue(Connection c, String type, String a, String b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT (?::" + type + ")::text = (?::" + type + ")::text")) {
            ps.setString(1, a);
            ps.setString(2, b);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static String normalized(byte[] json, String prefix) {
        return new String(json, java.nio.charset.StandardCharsets.UTF_8).replace(prefix, "PREFIX");
    }

    private static Set<String> headerNames(ConsumerRecord<byte[], byte[]> r) {
        return StreamSupport.stream(r.headers().spliterator(), false).map(Header::key).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> fieldNames(JsonNode n) {
        Set<String> names = new TreeSet<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
