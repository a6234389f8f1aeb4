package dev.replog.cli.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replog.applier.ApplyMode;
import dev.replog.applier.ErrorPolicy;
import dev.replog.applier.deadletter.DeadLetterHeaders;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TableContents;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whoever can write to a table topic can write a schema change: records forged from a real one
 * (copied from the log, then altered) and produced straight into table topics carry SQL injection
 * attempts in types, defaults, CHECKs, generated columns, domains and names. Each is refused into
 * the dead-letter path (here {@code apply.on.error=skip}) with a reason naming table, column and
 * what was refused, and nothing of it runs on the follower: the canary table is still there, and a
 * function that counts its calls in a sequence (which no rollback undoes) was never called. The
 * leader's own schema changes still replicate. In both apply modes, each on one replication set up once.
 */
class SchemaChangeTrustTest {

    private static final TableId ITEMS = new TableId("public", "items");
    /** Tables no leader has: their topics are created by the forger, so the follower would create the table. */
    private static final TableId FORGED = new TableId("public", "forged");
    private static final TableId NAMED = new TableId("public", "named");
    private static final String FORGED_HEADER = "test.forged";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<ApplyMode, Replication> STARTED = new EnumMap<>(ApplyMode.class);

    /** One replication per apply mode, started on first use: skip policy, the canary and the counting functions. */
    private static synchronized Replication replication(ApplyMode mode) throws Exception {
        Replication existing = STARTED.get(mode);
        if (existing != null) {
            return existing;
        }
        Replication r = new Replication("trust_" + mode.name().toLowerCase(), 1, List.of(ITEMS));
        STARTED.put(mode, r);
        r.mode(mode);
        r.onError(ErrorPolicy.SKIP);
        r.leader("CREATE TABLE items (id int PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'unnamed', qty int CHECK (qty >= 0))",
                "INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 5) g");
        r.follower("CREATE TABLE canary (id int)", "INSERT INTO canary VALUES (1)",
                "CREATE SEQUENCE side_effects",
                "CREATE FUNCTION boom() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT nextval(''side_effects'')::int'",
                // PostgreSQL computes an immutable call with constant arguments when it creates a generated column.
                "CREATE FUNCTION boom_immutable(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 + nextval(''side_effects'')::int'");
        r.startCapture();
        r.startApplier();
        r.awaitFollowerMatchesLeader();
        try (Admin admin = Admin.create(r.kafka().clientConfig())) {
            admin.createTopics(List.of(new NewTopic(r.topics().forTable(FORGED), 1, (short) 1),
                    new NewTopic(r.topics().forTable(NAMED), 1, (short) 1))).all().get();
        }
        return r;
    }

    @AfterAll
    static void stop() {
        STARTED.values().forEach(Replication::close);
        STARTED.clear();
    }

    @ParameterizedTest(name = "apply.mode={0}")
    @EnumSource(ApplyMode.class)
    void aForgedColumnTypeWithASecondStatementIsDeadLetteredAndNothingRuns(ApplyMode mode) throws Exception {
        Replication r = replication(mode);
        long created = forgeNewTable(r, FORGED, column("id", 1, "int PRIMARY KEY); DROP TABLE canary; --", "int4", null, null));
        long added = forgeAddedColumn(r, column("x", 99, "int; DROP TABLE canary; --", "int4", null, null));
        assertDeadLettered(r, FORGED, created, "table public.forged column 'id': refusing schema change type "
                + "'int PRIMARY KEY); DROP TABLE canary; --': it is not a type name");
        assertDeadLettered(r, ITEMS, added, "table public.items column 'x': refusing schema change type "
                + "'int; DROP TABLE canary; --': it is not a type name");
        assertNothingRan(r);
    }

    @ParameterizedTest(name = "apply.mode={0}")
    @EnumSource(ApplyMode.class)
    void aForgedDefaultThatClosesItsStatementIsDeadLetteredAndNothingRuns(ApplyMode mode) throws Exception {
        Replication r = replication(mode);
        long created = forgeNewTable(r, FORGED, column("id", 1, "integer", "int4", "1); DROP TABLE canary; --", null));
        long added = forgeAddedColumn(r, column("x", 99, "integer", "int4", "1; DROP TABLE canary; --", null));
        assertDeadLettered(r, FORGED, created, "table public.forged column 'id': refusing schema change DEFAULT "
                + "'1); DROP TABLE canary; --': it is not one SQL expression: it has a ')' that closes what it did not open");
        assertDeadLettered(r, ITEMS, added, "table public.items column 'x': refusing schema change DEFAULT "
                + "'1; DROP TABLE canary; --': it is not one SQL expression: it has a statement separator");
        assertNothingRan(r);
    }

    @ParameterizedTest(name = "apply.mode={0}")
    @EnumSource(ApplyMode.class)
    void forgedChecksWithASubqueryOrADangerousCallAreDeadLetteredAndNoneIsCalled(ApplyMode mode) throws Exception {
        Replication r = replication(mode);
        // ADD CONSTRAINT on the follower's items, which has rows: PostgreSQL would evaluate each CHECK on every one.
        long subquery = forgeAddedCheck(r, "CHECK ((qty < ( SELECT count(*) AS count FROM canary)))");
        assertDeadLettered(r, ITEMS, subquery, "table public.items constraint \"forged\": refusing schema change CHECK "
                + "'(qty < ( SELECT count(*) AS count FROM canary))': the follower does not accept it", "cannot use subquery");
        Map<String, String> calls = Map.of(
                "CHECK ((boom() > 0))", "it calls boom(), which is not a built-in function",
                "CHECK ((pg_sleep((1)::double precision) IS NOT NULL))", "it calls pg_sleep(double precision), which is not one of the built-in functions",
                "CHECK ((lo_import('PG_VERSION'::text) > (0)::oid))", "it calls lo_import(text), which is not one of the built-in functions",
                "CHECK (pg_terminate_backend(pg_backend_pid()))", "it calls pg_terminate_backend(integer,bigint), which is not one of");
        for (Map.Entry<String, String> check : calls.entrySet()) {
            long offset = forgeAddedCheck(r, check.getKey());
            assertDeadLettered(r, ITEMS, offset, "table public.items constraint \"forged\": refusing schema change CHECK '",
                    check.getValue(), "(apply.schema.expressions=any allows it)");
        }
        assertNothingRan(r);
    }

    @ParameterizedTest(name = "apply.mode={0}")
    @EnumSource(ApplyMode.class)
    void aForgedGeneratedColumnIsDeadLetteredWithoutItsCallEverBeingMade(ApplyMode mode) throws Exception {
        Replication r = replication(mode);
        long created = forgeNewTable(r, FORGED, column("id", 1, "integer", "int4", null, null),
                column("g", 2, "integer", "int4", null, "boom_immutable(1)"));
        assertDeadLettered(r, FORGED, created, "table public.forged column 'g': refusing schema change GENERATED ALWAYS AS "
                + "'boom_immutable(1)': it calls boom_immutable(integer), which is not a built-in function");
        assertNothingRan(r);
    }

    @ParameterizedTest(name = "apply.mode={0}")
    @EnumSource(ApplyMode.class)
    void aForgedDomainDefinitionWithASecondStatementIsDeadLetteredAndNothingRuns(ApplyMode mode) throws Exception {
        Replication r = replication(mode);
        long check = forgeAddedColumn(r, domainColumn("forged_check", "integer", null, "CHECK ((VALUE > 0)); DROP TABLE canary; --"));
        long base = forgeAddedColumn(r, domainColumn("forged_base", "integer; DROP TABLE canary; --", null, null));
        long defaulted = forgeAddedColumn(r, domainColumn("forged_default", "integer", "0; DROP TABLE canary; --", null));
        assertDeadLettered(r, ITEMS, check, "table public.items column 'x': domain \"public\".\"forged_check\" constraint \"c\": "
                + "refusing schema change 'CHECK ((VALUE > 0)); DROP TABLE canary; --': it is not CHECK (<expression>)");
        assertDeadLettered(r, ITEMS, base, "table public.items column 'x': domain \"public\".\"forged_base\": refusing schema "
                + "change type 'integer; DROP TABLE canary; --': it is not a type name");
        assertDeadLettered(r, ITEMS, defaulted, "table public.items column 'x': domain \"public\".\"forged_default\": refusing "
                + "schema change DEFAULT '0; DROP TABLE canary; --': it is not one SQL expression");
        assertEquals(0, Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM pg_type WHERE typname LIKE 'forged%'"),
                "no domain was created");
        assertNothingRan(r);
    }

    @ParameterizedTest(name = "apply.mode={0}")
    @EnumSource(ApplyMode.class)
    void aForgedChangeNamingAnotherTableIsDeadLetteredAndANameWithQuotesStaysAName(ApplyMode mode) throws Exception {
        Replication r = replication(mode);
        ConsumerRecord<byte[], byte[]> real = lastRealSchemaChange(r);
        String itemsTopic = r.topics().forTable(ITEMS);
        long canary = forge(r, itemsTopic, real, payload -> renameTo(payload, new TableId("public", "canary")).putNull("definition"));
        long quoted = forge(r, itemsTopic, real, payload -> renameTo(payload,
                new TableId("public", "items\" CASCADE; DROP TABLE canary; --")).putNull("definition"));
        assertDeadLettered(r, ITEMS, canary, "table public.canary: refusing schema change from topic " + itemsTopic
                + ", which is not that table's topic");
        assertDeadLettered(r, ITEMS, quoted, "table public.items\" CASCADE; DROP TABLE canary; --: refusing schema change from topic");
        // In its own topic a name with quotes is a name: the follower quotes it, nothing is refused and nothing else runs.
        String odd = "x\" int); DROP TABLE canary; --";
        forgeNewTable(r, NAMED, column("id", 1, "integer", "int4", null, null), column(odd, 2, "integer", "int4", null, null));
        Await.until("table public.named is created", WAIT,
                () -> Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM pg_class WHERE oid = to_regclass('public.named')") == 1);
        assertEquals(List.of(List.of("id"), List.of(odd)), Sql.queryRows(r.followerUrl(),
                "SELECT attname FROM pg_attribute WHERE attrelid = 'public.named'::regclass AND attnum > 0 ORDER BY attnum"));
        assertNothingRan(r);
    }

    @ParameterizedTest(name = "apply.mode={0}")
    @EnumSource(ApplyMode.class)
    void theLeadersOwnDefaultsChecksWideningAndDomainsStillReplicateByDefault(ApplyMode mode) throws Exception {
        Replication r = replication(mode);
        r.leader("CREATE DOMAIN price AS numeric(10,2) NOT NULL DEFAULT 0 CHECK (VALUE >= 0)",
                "ALTER TABLE items ADD COLUMN added_at timestamptz DEFAULT now(), ADD COLUMN code text DEFAULT upper('x') "
                        + "CHECK (code ~ '^[A-Z]+$'), ADD COLUMN cost price, ADD COLUMN doubled numeric GENERATED ALWAYS AS (qty * 2) STORED",
                "ALTER TABLE items ALTER COLUMN name TYPE text",
                "INSERT INTO items (id, qty, added_at, cost) VALUES (100, 7, '2020-01-01', 12.5)",
                // ADD COLUMN with a volatile default fills existing rows with each server's own now(): set them.
                "UPDATE items SET added_at = '2021-01-01', cost = 1 WHERE id <> 100");
        r.awaitFollowerMatchesLeader();
        TableDefinitions.assertSame(r, "public.items");
        assertEquals(TableContents.of(r.leaderUrl(), "public.items", "id"), TableContents.of(r.followerUrl(), "public.items", "id"));
        assertNothingRan(r);
    }

    // ---- forging ----

    private static ObjectNode column(String name, int attnum, String type, String typeName, String defaultExpression,
                                     String generatedExpression) {
        ObjectNode c = JSON.createObjectNode();
        c.put("name", name).put("attnum", attnum).put("type", type).put("typeName", typeName).put("typmod", -1)
                .put("notNull", false).put("defaultExpression", defaultExpression).put("generatedExpression", generatedExpression);
        c.putArray("enumLabels");
        return c;
    }

    private static ObjectNode domainColumn(String domain, String baseType, String defaultExpression, String check) {
        ObjectNode c = column("x", 99, domain, domain, null, null);
        ObjectNode d = c.putObject("domain");
        d.put("schema", "public").put("name", domain).put("baseType", baseType).put("notNull", false)
                .put("defaultExpression", defaultExpression);
        ArrayNode checks = d.putArray("checks");
        if (check != null) {
            checks.addObject().put("name", "c").put("definition", check);
        }
        d.putNull("collationSchema").putNull("collation");
        return c;
    }

    /** A first sight of a table no leader has, in the table's own topic: the follower would create it from this. */
    private static long forgeNewTable(Replication r, TableId table, ObjectNode... columns) throws Exception {
        return forge(r, r.topics().forTable(table), lastRealSchemaChange(r), payload -> {
            ObjectNode definition = (ObjectNode) renameTo(payload, table).get("definition");
            definition.put("leaderOid", 0);
            definition.putArray("columns").addAll(List.of(columns));
            definition.putArray("primaryKey");
            definition.putArray("checks");
        });
    }

    /** items' current definition as capture published it, with a column added. */
    private static long forgeAddedColumn(Replication r, ObjectNode column) throws Exception {
        return forge(r, r.topics().forTable(ITEMS), lastRealSchemaChange(r),
                payload -> ((ArrayNode) payload.get("definition").get("columns")).add(column));
    }

    /** items' current definition as capture published it, with a CHECK constraint added. */
    private static long forgeAddedCheck(Replication r, String definition) throws Exception {
        return forge(r, r.topics().forTable(ITEMS), lastRealSchemaChange(r),
                payload -> ((ArrayNode) payload.get("definition").get("checks")).addObject().put("name", "forged").put("definition", definition));
    }

    /** The payload made to name another table, in its source block and in its definition. */
    private static ObjectNode renameTo(ObjectNode payload, TableId table) {
        ((ObjectNode) payload.get("source")).put("schema", table.schema()).put("table", table.table());
        ((ObjectNode) payload.get("definition")).putObject("table").put("schema", table.schema()).put("table", table.table());
        return payload;
    }

    /** Produces a copy of {@code real} (value and headers) with its payload edited into {@code topic}; returns its offset. */
    private static long forge(Replication r, String topic, ConsumerRecord<byte[], byte[]> real, Consumer<ObjectNode> editPayload)
            throws Exception {
        ObjectNode value = (ObjectNode) JSON.readTree(real.value());
        editPayload.accept((ObjectNode) value.get("payload"));
        ProducerRecord<byte[], byte[]> forged = new ProducerRecord<>(topic, 0, null, JSON.writeValueAsBytes(value));
        for (Header h : real.headers()) {
            forged.headers().add(h.key(), h.value());
        }
        forged.headers().add(FORGED_HEADER, "1".getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(r.kafka().clientConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
            return p.send(forged).get().offset();
        }
    }

    /** The last schema change capture itself wrote into items' topic: the exact shape a forger copies. */
    private static ConsumerRecord<byte[], byte[]> lastRealSchemaChange(Replication r) {
        ConsumerRecord<byte[], byte[]> last = null;
        for (ConsumerRecord<byte[], byte[]> rec : read(r, r.topics().forTable(ITEMS))) {
            boolean schemaChange = rec.key() == null && rec.value() != null
                    && new String(rec.value(), StandardCharsets.UTF_8).contains("\"op\":\"replog.schema\"");
            if (schemaChange && rec.headers().lastHeader(FORGED_HEADER) == null) {
                last = rec;
            }
        }
        assertNotNull(last, "capture published a schema change of items");
        return last;
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(Replication r, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(r.kafka().clientConfig(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(Set.of(tp));
            c.seekToBeginning(Set.of(tp));
            long end = c.endOffsets(Set.of(tp)).get(tp);
            Await.until("read " + tp + " to offset " + end, WAIT, () -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return c.position(tp) >= end;
            });
        }
        return out;
    }

    // ---- expectations ----

    /**
     * The forged record is in {@code replog.dead_letters} (skip policy) and in the dead-letter topic, as a refused
     * schema change (SQLSTATE 42501) whose reason has every one of {@code reason}.
     */
    private static void assertDeadLettered(Replication r, TableId table, long offset, String... reason) {
        String topic = r.topics().forTable(table);
        String where = "topic = '" + topic + "' AND kafka_offset = " + offset;
        Await.until("the forged record at " + topic + " offset " + offset + " is dead-lettered", WAIT,
                () -> Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM replog.dead_letters WHERE " + where) == 1);
        List<String> row = Sql.queryRows(r.followerUrl(), "SELECT error_kind, sqlstate, error FROM replog.dead_letters WHERE " + where).get(0);
        assertEquals(List.of("apply", "42501"), row.subList(0, 2), row.toString());
        for (String part : reason) {
            assertTrue(row.get(2).contains(part), "'" + part + "' in: " + row.get(2));
        }
        assertTrue(row.get(2).endsWith("nothing of it ran"), row.get(2));
        ConsumerRecord<byte[], byte[]> dead = read(r, r.topics().deadLetter()).stream()
                .filter(d -> topic.equals(header(d, DeadLetterHeaders.TOPIC)) && Long.toString(offset).equals(header(d, DeadLetterHeaders.OFFSET)))
                .findFirst().orElseThrow(() -> new AssertionError("no record of " + topic + " offset " + offset + " in the dead-letter topic"));
        assertEquals("42501", header(dead, DeadLetterHeaders.SQLSTATE));
        assertEquals("skip", header(dead, DeadLetterHeaders.POLICY));
        assertTrue(header(dead, DeadLetterHeaders.ERROR).contains(reason[0]), header(dead, DeadLetterHeaders.ERROR));
    }

    /**
     * The canary and its row are there, the counting functions were never called, no large object was
     * imported, no forged table exists, and items still replicates as the leader has it.
     */
    private static void assertNothingRan(Replication r) {
        assertEquals(List.of(List.of("1")), Sql.queryRows(r.followerUrl(), "SELECT id FROM canary"), "the canary table and its row");
        assertEquals(List.of(List.of("f")), Sql.queryRows(r.followerUrl(), "SELECT is_called FROM side_effects"),
                "a function with a side effect was called");
        assertEquals(0, Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM pg_largeobject_metadata"), "large objects imported");
        assertEquals(List.of(List.of("")), Sql.queryRows(r.followerUrl(), "SELECT coalesce(to_regclass('public.forged')::text, '')"),
                "a forged table was created");
        long id = 1000 + Sql.queryForLong(r.leaderUrl(), "SELECT count(*) FROM items");
        r.leader("INSERT INTO items (id, name, qty) VALUES (" + id + ", 'after the forgeries', 1)");
        r.awaitFollowerMatchesLeader();
        TableDefinitions.assertSame(r, "public.items");
        assertFalse(r.applier().stopped().isDone(), "the applier goes on");
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
