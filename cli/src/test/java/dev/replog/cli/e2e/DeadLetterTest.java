package dev.replog.cli.e2e;

import dev.replog.applier.ApplyMode;
import dev.replog.applier.ErrorPolicy;
import dev.replog.applier.deadletter.DeadLetterHeaders;
import dev.replog.cli.CommandRun;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TestServers;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Poison events (records produced straight into a table topic that do not decode, and events the
 * follower refuses) go to the dead-letter topic, then stop only their table or are skipped, and are
 * applied after all once fixed.
 */
class DeadLetterTest {

    private static final TableId ITEMS = new TableId("public", "items");
    private static final TableId NOTES = new TableId("public", "notes");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void malformedEventStopsOnlyItsTableWhichStaysStoppedAcrossRestartUntilSkipped() throws Exception {
        try (Replication r = new Replication("dlq_malformed", 1, List.of(ITEMS, NOTES))) {
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text)", "CREATE TABLE notes (id int PRIMARY KEY, body text)");
            r.startCapture();
            r.startApplier();
            r.leader("INSERT INTO items VALUES (1, 'fine')", "INSERT INTO notes VALUES (1, 'a')");
            r.awaitFollowerMatchesLeader();

            String topic = r.topics().forTable(ITEMS);
            long poison = r.produce(topic, "{\"id\":2}", "{not json");
            r.leader("INSERT INTO items VALUES (3, 'after the poison')", "INSERT INTO notes VALUES (2, 'b')");
            r.awaitFollowerMatchesLeader(List.of(NOTES));
            awaitStopped(r, topic);
            assertEquals(List.of(List.of("1", "fine")), followerRows(r, "items"), "nothing of items after the poison event");
            assertFalse(r.applier().stopped().isDone(), "the applier goes on with the other tables");

            ConsumerRecord<byte[], byte[]> dead = only(deadLetters(r, 1));
            assertEquals("{not json", new String(dead.value(), StandardCharsets.UTF_8));
            assertEquals(topic, header(dead, DeadLetterHeaders.TOPIC));
            assertEquals("0", header(dead, DeadLetterHeaders.PARTITION));
            assertEquals(Long.toString(poison), header(dead, DeadLetterHeaders.OFFSET));
            assertEquals("decode", header(dead, DeadLetterHeaders.ERROR_KIND));
            assertEquals("public.items", header(dead, DeadLetterHeaders.TABLE));
            assertEquals("stop", header(dead, DeadLetterHeaders.POLICY));
            assertTrue(header(dead, DeadLetterHeaders.ERROR).contains("not valid JSON"), header(dead, DeadLetterHeaders.ERROR));

            r.stopApplier();
            r.startApplier();
            r.leader("INSERT INTO notes VALUES (3, 'c')");
            r.awaitFollowerMatchesLeader(List.of(NOTES));
            assertEquals(List.of(List.of("1", "fine")), followerRows(r, "items"), "a restart does not resume a stopped table");

            CommandRun resume = CommandRun.of("resume", "--config", config(r), "--table", "public.items", "--skip");
            assertEquals(0, resume.code(), resume.output());
            r.awaitFollowerMatchesLeader();
            assertEquals(List.of(List.of(topic, Long.toString(poison), "decode")), Sql.queryRows(r.followerUrl(),
                    "SELECT topic, kafka_offset, error_kind FROM replog.dead_letters"));
            assertEquals(0, Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM replog.stopped_tables"));
            assertLeaderEqualsFollower(r, "items", "notes");
        }
    }

    @Test
    void inTransactionalModeARefusedEventStopsTheWholeFollowerAndSkippingItAppliesTheRestOfItsTransaction() throws Exception {
        try (Replication r = new Replication("dlq_tx", 2, List.of(ITEMS, NOTES))) {
            r.mode(ApplyMode.TRANSACTIONAL);
            r.leader("CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL)", "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                    "INSERT INTO notes VALUES (0, 'before')");
            r.follower("CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL CHECK (qty < 100))");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader(List.of(NOTES));
            r.leader("BEGIN; INSERT INTO notes VALUES (1, 'a'); INSERT INTO items VALUES (1, 5); INSERT INTO items VALUES (2, 500);"
                    + " INSERT INTO items VALUES (3, 7); INSERT INTO notes VALUES (2, 'b'); COMMIT",
                    "INSERT INTO notes VALUES (3, 'c')");
            String topic = r.topics().forTable(ITEMS);
            awaitStopped(r, topic);
            only(deadLetters(r, 1));
            assertEquals(List.of(List.of("0", "before")), followerRows(r, "notes"),
                    "nothing of the transaction, nor of any later one, on any table");
            assertEquals(List.of(), followerRows(r, "items"));

            CommandRun resume = CommandRun.of("resume", "--config", config(r), "--table", "public.items", "--skip");
            assertEquals(0, resume.code(), resume.output());
            r.awaitFollowerMatchesLeader(List.of(NOTES));
            assertEquals(List.of(List.of("1", "5"), List.of("3", "7")), followerRows(r, "items"), "the transaction without the skipped event");
            assertEquals(List.of(List.of(topic, "apply", "23514")), Sql.queryRows(r.followerUrl(),
                    "SELECT topic, error_kind, sqlstate FROM replog.dead_letters"));
        }
    }

    @Test
    void refusedEventStopsOnlyItsTableAndResumeRetriesItOnceTheFollowerIsFixed() throws Exception {
        try (Replication r = new Replication("dlq_refused_stop", 1, List.of(ITEMS, NOTES))) {
            r.leader("CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL)", "CREATE TABLE notes (id int PRIMARY KEY, body text)");
            r.follower("CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL CHECK (qty < 100))");
            r.startCapture();
            r.startApplier();
            // One leader transaction, so the good events around the refused one arrive in the same poll.
            r.leader("BEGIN; INSERT INTO notes VALUES (1, 'a'); INSERT INTO items VALUES (1, 5); INSERT INTO items VALUES (2, 500);"
                    + " INSERT INTO items VALUES (3, 7); INSERT INTO notes VALUES (2, 'b'); COMMIT");
            String topic = r.topics().forTable(ITEMS);
            awaitStopped(r, topic);
            r.leader("INSERT INTO notes VALUES (3, 'c')");
            r.awaitFollowerMatchesLeader(List.of(NOTES));
            assertEquals(List.of(List.of("1", "5")), followerRows(r, "items"), "items stops right before the refused event");
            assertEquals(List.of(List.of("public.items", "apply", "23514")), Sql.queryRows(r.followerUrl(),
                    "SELECT table_name, error_kind, sqlstate FROM replog.stopped_tables"));

            ConsumerRecord<byte[], byte[]> dead = only(deadLetters(r, 1));
            assertEquals("apply", header(dead, DeadLetterHeaders.ERROR_KIND));
            assertEquals("23514", header(dead, DeadLetterHeaders.SQLSTATE));
            assertEquals(topic, header(dead, DeadLetterHeaders.TOPIC));
            assertTrue(header(dead, DeadLetterHeaders.LSN).contains("/"), "the leader LSN of the refused change");

            r.follower("ALTER TABLE items DROP CONSTRAINT items_qty_check");
            CommandRun resume = CommandRun.of("resume", "--config", config(r), "--table", "public.items");
            assertEquals(0, resume.code(), resume.output());
            r.awaitFollowerMatchesLeader();
            assertEquals(0, Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM replog.dead_letters"));
            assertLeaderEqualsFollower(r, "items", "notes");
        }
    }

    @Test
    void refusedAndMalformedEventsAreSkippedIntoDeadLettersAndTheRefusedOneReplayedOnceTheFollowerIsFixed() throws Exception {
        try (Replication r = new Replication("dlq_skip", 1, List.of(ITEMS))) {
            r.onError(ErrorPolicy.SKIP);
            r.leader("CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL)");
            r.follower("CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL CHECK (qty < 100))");
            r.startCapture();
            r.startApplier();
            r.leader("BEGIN; INSERT INTO items VALUES (1, 5); INSERT INTO items VALUES (2, 500); INSERT INTO items VALUES (3, 7); COMMIT");
            Await.until("the refused event is skipped and the events around it applied", WAIT,
                    () -> followerRows(r, "items").equals(List.of(List.of("1", "5"), List.of("3", "7"))));
            long malformed = r.produce(r.topics().forTable(ITEMS), "{\"id\":9}", "{not json");
            r.leader("INSERT INTO items VALUES (4, 9)");
            Await.until("the malformed event is skipped and the event after it applied", WAIT,
                    () -> followerRows(r, "items").size() == 3);
            assertEquals(List.of(List.of("public.items", "apply", "23514"), List.of("public.items", "decode", "")),
                    Sql.queryRows(r.followerUrl(), "SELECT table_name, error_kind, coalesce(sqlstate, '') FROM replog.dead_letters ORDER BY kafka_offset"));
            assertEquals(2, r.applier().deadLetteredCount());
            assertEquals(2L, ManagementFactory.getPlatformMBeanServer().getAttribute(ObjectName.getInstance(
                    "dev.replog:type=Applier,group=" + ObjectName.quote(r.applierSettings().groupId())), "DeadLetteredCount"));
            List<ConsumerRecord<byte[], byte[]>> dead = deadLetters(r, 2);
            assertEquals(2, dead.size());
            assertEquals("skip", header(dead.get(0), DeadLetterHeaders.POLICY));
            assertEquals("23514", header(dead.get(0), DeadLetterHeaders.SQLSTATE));
            assertEquals(Long.toString(malformed), header(dead.get(1), DeadLetterHeaders.OFFSET));
            String refused = header(dead.get(0), DeadLetterHeaders.OFFSET);

            CommandRun list = CommandRun.of("dead-letters", "--config", config(r), "list");
            assertEquals(0, list.code(), list.output());
            assertTrue(list.output().contains("offset " + refused) && list.output().contains("offset " + malformed)
                    && list.output().contains("2 dead-lettered event(s)"), list.output());

            CommandRun stillBroken = CommandRun.of("dead-letters", "replay", "--config", config(r), "--table", "public.items", "--offset", refused);
            assertEquals(1, stillBroken.code(), "replay before the fix fails and keeps the event: " + stillBroken.output());
            r.follower("ALTER TABLE items DROP CONSTRAINT items_qty_check");
            CommandRun replay = CommandRun.of("dead-letters", "replay", "--config", config(r), "--table", "public.items", "--offset", refused);
            assertEquals(0, replay.code(), replay.output());
            assertEquals(List.of(List.of(Long.toString(malformed))),
                    Sql.queryRows(r.followerUrl(), "SELECT kafka_offset FROM replog.dead_letters"), "only the malformed one is left");
            r.awaitFollowerMatchesLeader();
            assertLeaderEqualsFollower(r, "items");
        }
    }



    private String config(Replication r) throws IOException {
        TestServers s = TestServers.get();
        Path file = dir.resolve("replog.properties");
        Files.write(file, List.of(
                "topics.prefix=" + r.topics().prefix(),
                "kafka.bootstrap.servers=" + s.kafka().bootstrapServers(),
                "follower.jdbc.url=" + r.followerUrl(),
                "follower.user=" + s.follower().user(),
                "follower.password=" + s.follower().password(),
                "follower.sslmode=disable",
                "apply.group.id=" + r.applierSettings().groupId(),
                "apply.mode=" + r.applierSettings().mode().name().toLowerCase(java.util.Locale.ROOT)));
        return file.toString();
    }

    private static void awaitStopped(Replication r, String topic) {
        Await.until("table topic " + topic + " is recorded as stopped on the follower", WAIT,
                () -> Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM replog.stopped_tables") == 1);
    }

    /** Reads the dead-letter topic from the start until it holds at least {@code expected} records. */
    private static List<ConsumerRecord<byte[], byte[]>> deadLetters(Replication r, int expected) {
        Properties p = r.kafka().clientConfig();
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(r.topics().deadLetter(), 0);
            c.assign(Set.of(tp));
            c.seekToBeginning(Set.of(tp));
            Await.until(expected + " record(s) in " + tp, WAIT, () -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= expected;
            });
        }
        return out;
    }

    private static <T> T only(List<T> list) {
        assertEquals(1, list.size(), list.toString());
        return list.get(0);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static List<List<String>> followerRows(Replication r, String table) {
        return Sql.queryRows(r.followerUrl(), "SELECT * FROM " + table + " ORDER BY 1");
    }

    private static void assertLeaderEqualsFollower(Replication r, String... tables) {
        for (String t : tables) {
            assertEquals(Sql.queryRows(r.leaderUrl(), "SELECT * FROM " + t + " ORDER BY 1"), followerRows(r, t), t);
        }
    }
}
