package dev.replog.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replog.cli.CommandRun;
import dev.replog.schemas.LogFormat;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.RowChange;
import dev.replog.schemas.TableId;
import dev.replog.schemas.compact.LogDecoder;
import dev.replog.schemas.compact.SchemaLookup;
import dev.replog.serve.client.ReplogReadClient;
import dev.replog.serve.routing.KeyEncoding;
import dev.replog.serve.routing.KeyValues;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import dev.replog.testkit.Await;
import dev.replog.testkit.PipelineProperties;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TestServers;
import dev.replog.topology.SchemaTopicLookup;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * {@code replog serve}: read replicas of the log in Kafka Streams stores, answerable by key from every
 * instance of a group, equal to the leader's rows.
 */
class ServeTest {

    private static final TableId ACCOUNTS = new TableId("public", "accounts");
    private static final TableId ORDERS = new TableId("public", "orders");
    private static final Duration READY = ReadReplicas.READY;

    @Test
    void everyKeyIsAnswerableFromEveryInstanceAndEqualsTheLeadersRow() throws Exception {
        try (Replication r = new Replication("e2e_serve_keys", 3, List.of(ACCOUNTS, ORDERS));
             ReadReplicas serve = new ReadReplicas(r, List.of(ACCOUNTS, ORDERS), 1)) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(12,2), active boolean, opened timestamp)",
                    "CREATE TABLE orders (region text, id bigint, qty int NOT NULL, PRIMARY KEY (region, id))",
                    "INSERT INTO accounts SELECT g, 'owner ' || g, g * 1.5, g % 2 = 0, timestamp '2024-01-01' + g * interval '1 hour' FROM generate_series(1, 150) g",
                    "INSERT INTO orders SELECT CASE g % 3 WHEN 0 THEN 'eu,west' WHEN 1 THEN 'ünï cødé ✓%' ELSE 'us/east ' || (g % 5) END, g, g FROM generate_series(1, 150) g");
            r.startCapture();
            serve.startGroup(3);
            r.leader("UPDATE accounts SET balance = balance + 1 WHERE id % 7 = 0", "DELETE FROM accounts WHERE id % 10 = 0",
                    "UPDATE orders SET qty = qty * 2 WHERE id % 4 = 0");
            List<String> mismatches = new ArrayList<>();
            Await.until("every instance answers every key as the leader has it", READY, () -> {
                mismatches.clear();
                mismatches.addAll(mismatches(r, serve));
                return mismatches.isEmpty();
            });
            everyRecordKeyIsWhereServeLooksForIt(r, List.of(ACCOUNTS, ORDERS));
            prefixScansPageThroughTheRowsOfAKeyPrefixInKeyOrder(r, serve);
        }
    }

    /**
     * The compact format's keys are binary (a schema id and the values): serve learns them from the
     * log and writes lookup keys byte for byte as capture did, so each lookup goes to the instance
     * owning its partition, and a reader's session sees its own writes.
     */
    @Test
    void aCompactLogIsAnsweredByKeyFromEveryInstanceAndASessionReadsItsWrites() throws Exception {
        try (Replication r = new Replication("e2e_serve_compact", 3, List.of(ACCOUNTS, ORDERS));
             ReadReplicas serve = new ReadReplicas(r, List.of(ACCOUNTS, ORDERS), 0)) {
            r.logFormat(LogFormat.COMPACT);
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(12,2), active boolean, opened timestamp)",
                    "CREATE TABLE orders (region text, id bigint, qty int NOT NULL, PRIMARY KEY (region, id))",
                    "INSERT INTO accounts SELECT g, 'owner ' || g, g * 1.5, g % 2 = 0, timestamp '2024-01-01' + g * interval '1 hour' FROM generate_series(1, 150) g",
                    "INSERT INTO orders SELECT CASE g % 3 WHEN 0 THEN 'eu,west' WHEN 1 THEN 'ünï cødé ✓%' ELSE 'us/east ' || (g % 5) END, g, g FROM generate_series(1, 150) g");
            r.startCapture();
            serve.startGroup(2);
            r.leader("UPDATE accounts SET balance = balance + 1 WHERE id % 7 = 0", "DELETE FROM accounts WHERE id % 10 = 0",
                    "UPDATE orders SET qty = qty * 2 WHERE id % 4 = 0");
            Await.until("every instance answers every key as the leader has it", READY, () -> mismatches(r, serve).isEmpty());
            everyRecordKeyIsWhereServeLooksForIt(r, List.of(ACCOUNTS, ORDERS));
            JsonNode metadata = serve.get(serve.addresses().get(0), "/v1/metadata").body().path("tables");
            for (String table : List.of("public.accounts", "public.orders")) {
                assertEquals("compact", metadata.path(table).path("keyFormat").asText(), metadata.toString());
            }
            theStatusOfACompactLogShowsItsFormatAndLastPublishedLsn(r, serve);

            try (ReplogReadClient client = ReplogReadClient.of(serve.addresses(), Duration.ofSeconds(30))) {
                ReplogReadClient.Session session = client.session();
                for (int i = 1; i <= 10; i++) {
                    int id = 1 + 13 * i % 149;
                    r.leader("UPDATE orders SET qty = " + (1000 + i) + " WHERE id = " + id);
                    session.wrote(Lsn.parse(Sql.queryRows(r.leaderUrl(), "SELECT pg_current_wal_lsn()::text").get(0).get(0)));
                    String region = Sql.queryRows(r.leaderUrl(), "SELECT region FROM orders WHERE id = " + id).get(0).get(0);
                    ReplogReadClient.Result read = session.get("public.orders", region, Integer.toString(id));
                    assertEquals(200, read.status());
                    assertEquals(Integer.toString(1000 + i), read.row().get("qty"), "read of order " + id + " after its write");
                }
            }
        }
    }

    private static void theStatusOfACompactLogShowsItsFormatAndLastPublishedLsn(Replication r, ReadReplicas serve) throws Exception {
        TestServers s = TestServers.get();
        Path config = PipelineProperties.write(Files.createTempFile("replog-serve-compact-", ".properties"), s.kafka().bootstrapServers(),
                s.leader(), r.leaderDatabase(), s.follower(), r.followerDatabase(), "public.accounts,public.orders", 3, "row",
                List.of("status.followers=serve:" + String.join(";", serve.addresses())));
        try {
            JsonNode status = StatusTest.parse(CommandRun.of("status", "--config", config.toString(), "--json"));
            assertEquals("compact", status.path("log").path("format").asText(), status.toString());
            assertEquals(r.topics().schemas(), status.path("log").path("schemasTopic").asText(), status.toString());
            assertNotNull(status.path("capture").path("lastPublishedLsn").textValue(), "the last END, a compact record, found: " + status);
            assertTrue(status.path("serveGroups").get(0).path("complete").asBoolean(), status.toString());
        } finally {
            Files.deleteIfExists(config);
        }
    }

    @Test
    void keysAnswerAgainSoonAfterTheirOwnerDiesAndRoutingConvergesWhenAnInstanceJoins() throws Exception {
        try (Replication r = new Replication("e2e_serve_failover", 3, List.of(ACCOUNTS));
             ReadReplicas serve = new ReadReplicas(r, List.of(ACCOUNTS), 1)) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
                    "INSERT INTO accounts SELECT g, g FROM generate_series(1, 300) g");
            r.startCapture();
            serve.startGroup(3);
            awaitEveryInstanceAnswersAsTheLeader(r, serve);

            String owner = serve.get(serve.addresses().get(0), "/v1/metadata").body()
                    .path("tables").path("public.accounts").path("active").path("0").asText();
            long killedAt = System.nanoTime();
            serve.halt(owner); // no goodbye to the group: it notices by the session timeout
            Await.until("every key answered by every instance left", READY, () -> {
                long round = System.nanoTime();
                long answered = 0;
                for (String instance : serve.addresses()) {
                    for (int id = 1; id <= 300; id++) {
                        answered += serve.get(instance, "/v1/tables/public.accounts/rows/" + id).status() == 200 ? 1 : 0;
                    }
                }
                System.out.printf("%d of %d lookups answered (round of %d ms)%n", answered, 300 * serve.addresses().size(),
                        (System.nanoTime() - round) / 1_000_000);
                return answered == 300L * serve.addresses().size();
            });
            double answeredAfter = (System.nanoTime() - killedAt) / 1e9;
            r.leader("UPDATE accounts SET balance = balance + 1000");
            long updatedAt = System.nanoTime();
            awaitEveryInstanceAnswersAsTheLeader(r, serve);
            System.out.printf("owner killed: every key answered again after %.1f s; a write after that visible everywhere after %.1f s%n",
                    answeredAfter, (System.nanoTime() - updatedAt) / 1e9);
            // The session timeout (10 s) and a rebalance: 10.2 s here; the bound leaves room for a busy machine.
            assertTrue(answeredAfter < 45, "answered again after " + answeredAfter + " s (session timeout 10 s)");

            serve.start();
            serve.awaitReady(ReadReplicas.READY);
            awaitEveryInstanceAnswersAsTheLeader(r, serve);
            Await.until("every instance routes by the same owners, all of them running", READY, () -> {
                List<JsonNode> views = serve.addresses().stream()
                        .map(a -> serve.get(a, "/v1/metadata").body().path("tables").path("public.accounts").path("active")).toList();
                List<String> owners = new ArrayList<>();
                views.get(0).elements().forEachRemaining(o -> owners.add(o.asText()));
                return views.stream().allMatch(v -> v.equals(views.get(0))) && views.get(0).size() == 3
                        && serve.addresses().containsAll(owners);
            });
        }
    }

    @Test
    void schemaChangesAndTruncatesReachTheStores() throws Exception {
        try (Replication r = new Replication("e2e_serve_ddl", 2, List.of(ACCOUNTS));
             ReadReplicas serve = new ReadReplicas(r, List.of(ACCOUNTS), 0)) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL, note text)",
                    "INSERT INTO accounts SELECT g, g, 'n' || g FROM generate_series(1, 100) g");
            r.startCapture();
            serve.startGroup(2);
            awaitEveryInstanceAnswersAsTheLeader(r, serve);

            r.leader("ALTER TABLE accounts ADD COLUMN region text NOT NULL DEFAULT 'eu'",
                    "ALTER TABLE accounts RENAME COLUMN note TO remark",
                    "ALTER TABLE accounts ADD COLUMN flag int DEFAULT 7",
                    "UPDATE accounts SET balance = balance * 2 WHERE id % 3 = 0",
                    "ALTER TABLE accounts DROP COLUMN balance",
                    "INSERT INTO accounts (id, remark, region) VALUES (101, 'new', 'us')");
            awaitEveryInstanceAnswersAsTheLeader(r, serve);

            r.leader("TRUNCATE accounts", "INSERT INTO accounts (id, remark, region) VALUES (7, 'after truncate', 'ap')");
            awaitEveryInstanceAnswersAsTheLeader(r, serve);
            for (String instance : serve.addresses()) {
                assertEquals(404, serve.get(instance, "/v1/tables/public.accounts/rows/8").status(), "row 8 truncated, from " + instance);
            }
        }
    }

    /** Every leader row of {@code accounts}, whatever its columns, answered from every instance. */
    private static void awaitEveryInstanceAnswersAsTheLeader(Replication r, ReadReplicas serve) {
        Await.until("every instance answers every key of accounts as the leader has it", READY, () -> {
            List<List<String>> rows = Sql.queryRows(r.leaderUrl(), "SELECT (SELECT array_agg(format('%s', v)) FROM "
                    + "json_each_text(to_json(a)) AS j(k, v))::text FROM accounts a ORDER BY id");
            List<List<String>> leader = new ArrayList<>();
            for (List<String> row : rows) {
                leader.add(parseArray(row.get(0)));
            }
            return mismatches(serve, "public.accounts", leader, 1).isEmpty();
        });
    }

    /** A text[] literal as PostgreSQL prints it, without NULLs. */
    private static List<String> parseArray(String literal) {
        List<String> out = new ArrayList<>();
        for (String part : literal.substring(1, literal.length() - 1).split(",", -1)) {
            out.add(part.startsWith("\"") ? part.substring(1, part.length() - 1).replace("\\\"", "\"") : part);
        }
        return out;
    }

    /**
     * Serve finds a key's partition by writing the key as capture did and hashing it as Kafka's
     * producer did: for every record capture wrote, both must give back exactly its key and partition.
     */
    private static void everyRecordKeyIsWhereServeLooksForIt(Replication r, List<TableId> tables) {
        SchemaLookup schemas = new SchemaTopicLookup(r.kafka().clientConfig(), r.topics().schemas());
        LogDecoder decoder = new LogDecoder(schemas);
        int checked = 0;
        for (TableId t : tables) {
            String topic = r.topics().forTable(t);
            for (ConsumerRecord<byte[], byte[]> record : r.allRecords(topic, "read_committed")) {
                if (record.key() == null || record.value() == null
                        || !(decoder.decode(record.key(), record.value()) instanceof RowChange change)) {
                    continue;
                }
                KeyEncoding encoding = KeyEncoding.of(record.key(), schemas);
                assertNotNull(encoding, "key of " + topic + " offset " + record.offset());
                byte[] written = encoding.recordKey(KeyValues.of(change));
                assertArrayEquals(record.key(), written, "key at " + topic + " offset " + record.offset());
                assertEquals(record.partition(), KeyEncoding.partition(written, 3), "partition of the key at " + topic + " offset " + record.offset());
                checked++;
            }
        }
        assertTrue(checked >= 300, "checked " + checked + " records");
    }

    private static void prefixScansPageThroughTheRowsOfAKeyPrefixInKeyOrder(Replication r, ReadReplicas serve) {
        String region = "ünï cødé ✓%";
        List<String> expected = new ArrayList<>();
        for (List<String> row : Sql.queryRows(r.leaderUrl(), "SELECT id::text FROM orders WHERE region = '" + region + "'")) {
            expected.add(row.get(0));
        }
        expected.sort(String::compareTo); // key order is each value's text in byte order
        for (String instance : serve.addresses()) {
            List<String> seen = new ArrayList<>();
            String after = null;
            do {
                ReadReplicas.Reply page = serve.get(instance, "/v1/tables/public.orders/rows?limit=7&prefix=" + encode(region)
                        + (after == null ? "" : "&after=" + after));
                assertEquals(200, page.status(), page.body().toString());
                for (JsonNode row : page.body().path("rows")) {
                    assertEquals(region, row.path("row").path("region").asText());
                    seen.add(row.path("key").get(1).asText());
                }
                after = page.body().path("next").isNull() ? null : page.body().path("next").asText();
            } while (after != null);
            assertEquals(expected, seen, "prefix scan from " + instance);
        }
    }

    /** Every key of both tables asked from every instance, compared with the leader's rows as text. */
    private static List<String> mismatches(Replication r, ReadReplicas serve) {
        List<List<String>> accounts = Sql.queryRows(r.leaderUrl(),
                "SELECT id::text, owner::text, balance::text, active::text, opened::text FROM accounts ORDER BY id");
        List<String> mismatches = new ArrayList<>(mismatches(serve, "public.accounts", accounts, 1));
        for (String instance : serve.addresses()) {
            for (int id = 10; id <= 150; id += 10) { // deleted on the leader
                ReadReplicas.Reply reply = serve.get(instance, "/v1/tables/public.accounts/rows/" + id);
                if (reply.status() != 404) {
                    mismatches.add(instance + " accounts " + id + ": expected 404, got " + reply.status() + " " + reply.body());
                }
            }
        }
        mismatches.addAll(mismatches(serve, "public.orders",
                Sql.queryRows(r.leaderUrl(), "SELECT region, id::text, qty::text FROM orders ORDER BY region, id"), 2));
        return mismatches;
    }

    /**
     * Each leader row asked by its key (its first {@code keyColumns} values) from every running
     * instance; what differs, as text.
     */
    static List<String> mismatches(ReadReplicas serve, String table, List<List<String>> leaderRows, int keyColumns) {
        List<String> mismatches = new ArrayList<>();
        for (String instance : serve.addresses()) {
            for (List<String> row : leaderRows) {
                String key = String.join(",", row.subList(0, keyColumns).stream().map(ServeTest::encode).toList());
                ReadReplicas.Reply reply = serve.get(instance, "/v1/tables/" + table + "/rows/" + key);
                String actual = reply.status() + " " + values(reply.body().path("row"));
                if (!actual.equals("200 " + row)) {
                    mismatches.add(instance + " " + table + " " + row + ": got " + actual + " " + reply.body());
                }
            }
        }
        if (!mismatches.isEmpty()) {
            System.out.println(mismatches.size() + " mismatches, first: " + mismatches.get(0));
        }
        return mismatches;
    }

    /**
     * A served row's values as PostgreSQL prints them: served values are text PostgreSQL reads back as
     * the leader's value, in the form the log carries it (a streamed timestamp with all six fractional
     * digits).
     */
    static String values(JsonNode row) {
        List<String> v = new ArrayList<>();
        row.fields().forEachRemaining(e -> v.add(e.getValue().isNull() ? null : printed(e.getValue().asText())));
        return v.toString();
    }

    private static String printed(String value) {
        if (value.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+")) {
            return value.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return value;
    }

    static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
