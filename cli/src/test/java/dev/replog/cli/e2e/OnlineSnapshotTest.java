package dev.replog.cli.e2e;

import dev.replog.applier.ApplyMode;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.replog.cli.CommandRun;
import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.PipelineProperties;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TestServers;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Online snapshots (issue 13): a table added to capture.tables of a running capture is copied alone
 * while streaming goes on, and {@code replog resnapshot} copies a captured table again on demand.
 * The copies are Debezium incremental snapshots; their progress is in {@code replog.captured_tables}.
 */
class OnlineSnapshotTest {

    private static final TableId ORDERS = new TableId("public", "orders");
    private static final TableId CUSTOMERS = new TableId("public", "customers");
    private static final int CUSTOMER_ROWS = 3000;

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> copyLog = new ListAppender<>();
    private final Logger copyLogger = (Logger) LoggerFactory.getLogger("dev.replog.capture.CopyProgress");
    private final ListAppender<ILoggingEvent> captureLog = new ListAppender<>();
    private final Logger captureLogger = (Logger) LoggerFactory.getLogger("dev.replog.capture.CaptureService");

    @BeforeEach
    void listen() {
        copyLog.start();
        copyLogger.addAppender(copyLog);
        captureLog.start();
        captureLogger.addAppender(captureLog);
    }

    @AfterEach
    void stopListening() {
        copyLogger.detachAppender(copyLog);
        captureLogger.detachAppender(captureLog);
    }

    /** On a transactional follower, which applies a leader transaction only once it has all of it. */
    @Test
    void tableAddedToCaptureTablesOfARunningCaptureIsCopiedAloneWhileTheOthersStream() throws Exception {
        try (Replication r = new Replication("online_add", 2, List.of(ORDERS))) {
            r.mode(ApplyMode.TRANSACTIONAL);
            createTables(r);
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
            Await.untilEquals("the initial snapshot of orders is recorded as a copy", Replication.CATCH_UP,
                    () -> List.of("done", "200"), () -> copyProgress(r, ORDERS).get(0).subList(0, 2));
            List<List<String>> ordersCopied = Sql.queryRows(r.leaderUrl(), "SELECT copy_started_at, copy_finished_at "
                    + "FROM replog.captured_tables WHERE table_name = 'orders'");
            try (Writes writes = new Writes(r.leaderUrl())) {
                writes.awaitRounds(20);
                // A table named exactly that does not exist: refused, and capture goes on as it was.
                r.changeCapturedTables(List.of(ORDERS, new TableId("public", "missing")));
                Await.until("capture refuses the list naming a missing table", Replication.CATCH_UP,
                        () -> captureLog.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                                && e.getFormattedMessage().contains("captured table public.missing does not exist")));
                Map<Integer, Long> ordersBefore = ends(r, ORDERS);
                r.changeCapturedTables(List.of(ORDERS, CUSTOMERS));
                awaitCopyDone(r, CUSTOMERS);
                long rounds = writes.rounds();
                writes.awaitRounds(rounds + 50);
                writes.close();
                r.awaitFollowerMatchesLeader(List.of(ORDERS, CUSTOMERS));

                List<ConsumerRecord<byte[], byte[]>> ordersAfter = after(r, ORDERS, ordersBefore);
                assertTrue(ordersAfter.stream().anyMatch(rec -> !Replication.isWatermark(rec)), "orders streamed after the change");
                assertEquals(0, ordersAfter.stream().filter(OnlineSnapshotTest::isCopied).count(), "orders was copied again");
            }
            long copied = r.allRecords(r.topics().forTable(CUSTOMERS), "read_committed").stream()
                    .filter(OnlineSnapshotTest::isCopied).count();
            assertTrue(copied > 0, "customers' rows were copied");
            Await.untilEquals("customers' copy progress counts its rows in the log", Replication.CATCH_UP,
                    () -> Long.toString(copied), () -> copyProgress(r, CUSTOMERS).get(0).get(1));
            List<String> progress = copyProgress(r, CUSTOMERS).get(0);
            assertEquals("done", progress.get(0));
            assertEquals("t", progress.get(3), "started before it finished");
            // The planner's estimate when the copy started: ANALYZE saw 3000 rows, the writes changed a few since.
            long estimate = Long.parseLong(progress.get(2));
            assertTrue(estimate > CUSTOMER_ROWS / 2 && estimate < CUSTOMER_ROWS * 2, "estimate " + estimate);
            assertEquals(ordersCopied, Sql.queryRows(r.leaderUrl(), "SELECT copy_started_at, copy_finished_at "
                    + "FROM replog.captured_tables WHERE table_name = 'orders'"), "orders' only copy is its initial snapshot");
            assertEquals(1, captureLog.list.stream().filter(e -> e.getLevel() == Level.ERROR).count(), "the refusal is logged once");
            assertEquals(1, captureLog.list.stream().filter(e -> e.getFormattedMessage().startsWith("capture.tables changed from")).count(),
                    "the engine restarted once");
            assertEquals(List.of("copy of table public.orders started", "copy of table public.orders done",
                    "copy of table public.customers started", "copy of table public.customers done"),
                    copyLog.list.stream().filter(e -> e.getLevel() == Level.INFO).map(e -> e.getFormattedMessage()
                            .replaceAll(" \\(.*| \\d+ rows.*|:.*", "")).toList());
        }
    }

    /** In row mode; a transactional follower applies a copy the same way as the one above. */
    @Test
    void resnapshotRestoresARowDamagedOnTheFollowerWhileWritesGoOnAndCopiesNoOtherTable() throws Exception {
        try (Replication r = new Replication("resnapshot", 2, List.of(ORDERS, CUSTOMERS))) {
            createTables(r);
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
            Path config = config(r);

            CommandRun refused = CommandRun.of("resnapshot", "--config", config.toString(), "--table", "public.customers", "--table", "public.nope");
            assertEquals(2, refused.code(), refused.output());
            assertTrue(refused.output().contains("table \"public\".\"nope\" is not captured"), refused.output());

            r.follower("UPDATE customers SET name = 'damaged on the follower' WHERE id = 7",
                    "INSERT INTO customers VALUES (100000, 'only on the follower')");
            try (Writes writes = new Writes(r.leaderUrl())) {
                writes.awaitRounds(20);
                Map<Integer, Long> ordersBefore = ends(r, ORDERS);
                CommandRun requested = CommandRun.of("resnapshot", "--config", config.toString(), "--table", "public.customers");
                assertEquals(0, requested.code(), requested.output());
                assertTrue(requested.output().contains("requested a copy of table \"public\".\"customers\""), requested.output());
                assertTrue(requested.output().contains("capture streams from slot"), requested.output());
                awaitCopyDone(r, CUSTOMERS);
                long rounds = writes.rounds();
                writes.awaitRounds(rounds + 50);
                writes.close();
                awaitCustomersMatchTheLeaderBesideTheFollowersOwnRow(r);
                r.awaitFollowerMatchesLeader(List.of(ORDERS));
                assertEquals(0, after(r, ORDERS, ordersBefore).stream().filter(OnlineSnapshotTest::isCopied).count(),
                        "orders was copied");
            }

            // Capture stopped: the request waits in the WAL the slot keeps, and runs once capture streams again.
            r.stopCapture();
            r.follower("UPDATE customers SET name = 'damaged while capture was stopped' WHERE id = 9");
            CommandRun waiting = CommandRun.of("resnapshot", "--config", config.toString(), "--table", "public.customers");
            assertEquals(0, waiting.code(), waiting.output());
            assertTrue(waiting.output().contains("capture is not running"), waiting.output());
            assertEquals("requested", copyProgress(r, CUSTOMERS).get(0).get(0));
            r.startCapture();
            awaitCopyDone(r, CUSTOMERS);
            awaitCustomersMatchTheLeaderBesideTheFollowersOwnRow(r);
        }
    }

    private static void createTables(Replication r) {
        r.leader("CREATE TABLE orders (id int PRIMARY KEY, n int NOT NULL)",
                "INSERT INTO orders SELECT g, 0 FROM generate_series(1, 200) g",
                "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, " + CUSTOMER_ROWS + ") g",
                "ANALYZE customers");
    }

    /**
     * A copy is an upsert of every leader row: the damaged row gets the leader's value, rows deleted on
     * the leader meanwhile stay deleted, and the row only the follower has stays (a copy is no truncate).
     */
    private static void awaitCustomersMatchTheLeaderBesideTheFollowersOwnRow(Replication r) {
        String rows = "SELECT id, name FROM customers WHERE id <> 100000 ORDER BY id";
        Await.untilEquals("customers on the follower equal the leader's", Replication.CATCH_UP,
                () -> Sql.queryRows(r.leaderUrl(), rows), () -> Sql.queryRows(r.followerUrl(), rows));
        assertEquals(List.of(List.of("only on the follower")), Sql.queryRows(r.followerUrl(),
                "SELECT name FROM customers WHERE id = 100000"));
    }

    private static void awaitCopyDone(Replication r, TableId table) {
        Await.until("the copy of " + table + " is done", Replication.CATCH_UP, () -> {
            List<List<String>> p = copyProgress(r, table);
            return !p.isEmpty() && "done".equals(p.get(0).get(0));
        });
    }

    /** copy_state, copy_rows, copy_rows_estimate, and whether it started before it finished. */
    private static List<List<String>> copyProgress(Replication r, TableId table) {
        return Sql.queryRows(r.leaderUrl(), "SELECT copy_state, copy_rows, copy_rows_estimate, copy_started_at <= copy_finished_at "
                + "FROM replog.captured_tables WHERE slot_name = '" + r.leaderDb() + "' AND table_schema = '" + table.schema()
                + "' AND table_name = '" + table.table() + "'");
    }

    private static boolean isCopied(ConsumerRecord<byte[], byte[]> rec) {
        Header h = rec.headers().lastHeader(LogHeaders.SNAPSHOT);
        return h != null && "true".equals(new String(h.value(), StandardCharsets.UTF_8));
    }

    /** Per partition of the table's topic, the offset after the last record readable now. */
    private static Map<Integer, Long> ends(Replication r, TableId table) {
        Map<Integer, Long> ends = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec : r.allRecords(r.topics().forTable(table), "read_committed")) {
            ends.merge(rec.partition(), rec.offset() + 1, Math::max);
        }
        return ends;
    }

    private static List<ConsumerRecord<byte[], byte[]>> after(Replication r, TableId table, Map<Integer, Long> ends) {
        return r.allRecords(r.topics().forTable(table), "read_committed").stream()
                .filter(rec -> rec.offset() >= ends.getOrDefault(rec.partition(), 0L)).toList();
    }

    private Path config(Replication r) throws Exception {
        TestServers s = TestServers.get();
        Path file = dir.resolve("capture.properties");
        Files.write(file, PipelineProperties.captureLines(s.kafka().bootstrapServers(), s.leader(), r.leaderDb(),
                "public.orders,public.customers", 2));
        return file;
    }



    /**
     * The leader's application while the test runs: updates orders and inserts new ones, and updates,
     * deletes and inserts customers (keys 1 to 6000, never 7, 9 or the follower's own 100000).
     */
    private static final class Writes implements AutoCloseable {

        private final Thread thread;
        private final AtomicLong rounds = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stop;

        Writes(String leaderUrl) {
            thread = new Thread(() -> run(leaderUrl), "leader-writes");
            thread.start();
        }

        private void run(String url) {
            try (Connection c = DriverManager.getConnection(url)) {
                while (!stop) {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    int customer = 10 + random.nextInt(2 * CUSTOMER_ROWS - 10);
                    Sql.execute(c, "UPDATE orders SET n = n + 1 WHERE id = " + (1 + random.nextInt(200)),
                            "INSERT INTO orders VALUES (" + (1000 + rounds.get()) + ", 0) ON CONFLICT DO NOTHING",
                            "UPDATE customers SET name = 'renamed " + rounds.get() + "' WHERE id = " + customer,
                            "DELETE FROM customers WHERE id = " + (customer + 1),
                            "INSERT INTO customers VALUES (" + (customer + 2) + ", 'inserted') ON CONFLICT DO NOTHING");
                    rounds.incrementAndGet();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
            } catch (SQLException | RuntimeException e) {
                failure.set(e);
            }
        }

        long rounds() {
            return rounds.get();
        }

        void awaitRounds(long n) {
            Await.until("the leader's writes ran " + n + " rounds", Replication.CATCH_UP, () -> {
                if (failure.get() != null) {
                    throw new AssertionError("the leader's writes failed", failure.get());
                }
                return rounds.get() >= n;
            });
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(30_000);
            if (failure.get() != null) {
                throw new AssertionError("the leader's writes failed", failure.get());
            }
        }
    }
}
