package dev.replog.cli.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.replog.applier.ApplyMode;
import dev.replog.capture.CaptureException;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader's publication lists exactly the captured tables, kept current while capture runs,
 * and capturing never changes how the leader's own writes behave (issue 11).
 */
class PublicationTest {

    private static final TableId EVERY_PUBLIC_TABLE = new TableId("public", "*");
    private static final TableId ITEMS = new TableId("public", "items");

    private final ListAppender<ILoggingEvent> publicationLog = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.replog.capture.LeaderPublication");

    @BeforeEach
    void listen() {
        publicationLog.start();
        logger.addAppender(publicationLog);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(publicationLog);
    }

    @Test
    void tablesOutsideTheCaptureKeepAcceptingUpdatesAndDeletes() throws Exception {
        TableId later = new TableId("public", "later");
        TableId scratch = new TableId("public", "scratch");
        try (Replication r = new Replication("pub_outside", 1, List.of(EVERY_PUBLIC_TABLE))) {
            r.leader("CREATE SCHEMA audit",
                    "CREATE TABLE audit.events (at timestamptz NOT NULL, what text)",
                    "CREATE TABLE notes (body text)",
                    "CREATE TABLE items (id int PRIMARY KEY, name text)",
                    "INSERT INTO audit.events SELECT now(), 'event ' || g FROM generate_series(1, 10) g",
                    "INSERT INTO notes SELECT 'note ' || g FROM generate_series(1, 10) g",
                    "INSERT INTO items VALUES (1, 'one')");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader(List.of(ITEMS));
            // No primary key, outside the pattern; and no primary key, matching it.
            assertAcceptsUpdateAndDelete(r, "audit.events", "what");
            assertAcceptsUpdateAndDelete(r, "notes", "body");

            // The same for a table without a primary key created while capture runs. Once a table created
            // after it is on the follower, capture has checked the publication since both exist.
            r.leader("CREATE TABLE scratch (n int)", "INSERT INTO scratch SELECT generate_series(1, 10)");
            r.leader("CREATE TABLE later (id int PRIMARY KEY)", "INSERT INTO later VALUES (1)");
            r.awaitFollowerMatchesLeader(List.of(ITEMS, later));
            assertAcceptsUpdateAndDelete(r, "scratch", "n");
            r.leader("INSERT INTO items VALUES (2, 'two')", "UPDATE items SET name = 'uno' WHERE id = 1");
            r.awaitFollowerMatchesLeader(List.of(ITEMS, later));

            assertEquals(List.of("public.items", "public.later", "replog.heartbeat", "replog.signal_" + r.leaderDb()),
                    publishedTables(r), "the publication lists the captured tables and capture's own, nothing else");
            assertEquals(List.of(List.of("f")), Sql.queryRows(r.leaderUrl(),
                    "SELECT puballtables FROM pg_publication WHERE pubname = '" + r.leaderDb() + "'"));
            assertEquals(1, warningsNaming("table \"public\".\"notes\" (capture.tables entry public.*) has no primary key"),
                    warnings().toString());
            assertEquals(1, warningsNaming("table \"public\".\"scratch\" (capture.tables entry public.*) has no primary key"),
                    warnings().toString());
            assertTrue(warnings().stream().allMatch(w -> w.contains("ADD PRIMARY KEY") && w.contains("UPDATE and DELETE")
                    && !w.contains("audit")), warnings().toString());
            assertEquals(List.of(List.of("", "", "")), Sql.queryRows(r.followerUrl(), "SELECT coalesce(to_regclass('public.notes')::text, ''), "
                    + "coalesce(to_regclass('public.scratch')::text, ''), coalesce(to_regclass('audit.events')::text, '')"),
                    "tables without a primary key are not replicated");

            // Given a primary key, the table is published and every row it has reaches the follower.
            r.leader("ALTER TABLE scratch ADD PRIMARY KEY (n)", "INSERT INTO scratch VALUES (100)");
            r.awaitFollowerMatchesLeader(List.of(ITEMS, later, scratch));
        }
    }

    @Test
    void publishedTableThatLosesItsPrimaryKeyLeavesThePublicationAndReturnsWithItsRowsOnceItHasOneAgain() throws Exception {
        TableId other = new TableId("public", "other");
        try (Replication r = new Replication("pub_lost_key", 1, List.of(EVERY_PUBLIC_TABLE))) {
            r.leader("CREATE TABLE items (id int CONSTRAINT items_key PRIMARY KEY, name text)", "CREATE TABLE other (id int PRIMARY KEY)",
                    "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 20) g");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader(List.of(ITEMS));
            r.leader("ALTER TABLE items DROP CONSTRAINT items_key");
            Await.until("items leaves the publication", Replication.CATCH_UP, () -> !publishedTables(r).contains("public.items"));
            assertDoesNotThrow(() -> r.leader("UPDATE items SET name = 'renamed without a key' WHERE id = 1",
                    "DELETE FROM items WHERE id = 2"), "the leader refuses UPDATE or DELETE on items");
            assertEquals(1, warningsNaming("table \"public\".\"items\" (capture.tables entry public.*) has no primary key"),
                    warnings().toString());
            assertTrue(warnings().get(0).contains("Capture drops it from publication"), warnings().get(0));

            r.leader("ALTER TABLE items ADD PRIMARY KEY (id)", "INSERT INTO items VALUES (100, 'with a key again')",
                    "INSERT INTO other VALUES (1)");
            // Copied again: every leader row, the update made while it had no key included. The row deleted
            // meanwhile stays on the follower (README: "replog verify shows them").
            String rows = "SELECT id::text || ' ' || name FROM items ORDER BY id";
            Await.untilEquals("the follower has the leader's items and the row deleted while it had no key", Replication.CATCH_UP,
                    () -> {
                        List<String> expected = new java.util.ArrayList<>(Sql.queryRows(r.leaderUrl(), rows).stream()
                                .map(row -> row.get(0)).toList());
                        expected.add(1, "2 item 2");
                        return expected;
                    },
                    () -> Sql.queryRows(r.followerUrl(), rows).stream().map(row -> row.get(0)).toList());
            r.awaitFollowerMatchesLeader(List.of(other));
        }
    }

    /**
     * Rows written to a new table before capture publishes it never travel through the slot: capture
     * has Debezium copy them. The rows written in the transaction that creates the table certainly
     * precede its publication; the leader's application keeps writing the new table and another one
     * all along.
     */
    @ParameterizedTest
    @EnumSource(ApplyMode.class)
    void rowsWrittenToANewTableRightAfterItsCreationReachTheFollowerUnderLoad(ApplyMode mode) throws Exception {
        TableId fresh = new TableId("public", "fresh");
        try (Replication r = new Replication("pub_gap_" + mode, 2, List.of(EVERY_PUBLIC_TABLE))) {
            r.mode(mode);
            r.leader("CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL)",
                    "INSERT INTO items SELECT g, 0 FROM generate_series(1, 200) g");
            r.startCapture();
            r.startApplier();
            try (Load load = new Load(r.leaderUrl())) {
                load.awaitRounds(20);
                try (Connection c = DriverManager.getConnection(r.leaderUrl())) {
                    c.setAutoCommit(false);
                    Sql.execute(c, "CREATE TABLE fresh (id int PRIMARY KEY, v text NOT NULL)",
                            "INSERT INTO fresh SELECT g, 'created with the table' FROM generate_series(1, 500) g");
                    c.commit();
                }
                load.alsoWriteFresh();
                r.leader("INSERT INTO fresh SELECT g, 'right after' FROM generate_series(501, 1000) g",
                        "UPDATE fresh SET v = 'updated right after' WHERE id <= 100");
                Await.until("table fresh is published", Replication.CATCH_UP, () -> publishedTables(r).contains("public.fresh"));
                r.leader("UPDATE fresh SET v = 'updated once published' WHERE id BETWEEN 101 AND 200",
                        "DELETE FROM fresh WHERE id BETWEEN 201 AND 250");
                long rounds = load.rounds();
                load.awaitRounds(rounds + 100);
            }
            r.awaitFollowerMatchesLeader(List.of(ITEMS, fresh));
            assertEquals(List.of(List.of("created with the table", "250"), List.of("right after", "500"),
                    List.of("updated once published", "100"), List.of("updated right after", "100")),
                    Sql.queryRows(r.followerUrl(), "SELECT v, count(*) FROM fresh WHERE id < 100000 GROUP BY v ORDER BY v"));
            assertTrue(Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM fresh WHERE id >= 100000") > 0,
                    "the load wrote the new table");
        }
    }

    /**
     * A transaction that wrote a table before it was published and commits after: PostgreSQL does not
     * stream what it wrote before, and a copy taken while it is open does not see it. Capture asks for
     * the copy only once every transaction open when the table was published has ended. Capture is
     * stopped while the transaction writes, so the table is certainly published after that.
     */
    @ParameterizedTest
    @EnumSource(ApplyMode.class)
    void transactionThatWroteATableBeforeItWasPublishedAndCommitsAfterLosesNoRow(ApplyMode mode) throws Exception {
        TableId fresh = new TableId("public", "fresh");
        TableId probe = new TableId("public", "probe");
        try (Replication r = new Replication("pub_open_tx_" + mode, 2, List.of(EVERY_PUBLIC_TABLE))) {
            r.mode(mode);
            r.leader("CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader(List.of(ITEMS));
            r.stopCapture();
            r.leader("CREATE TABLE fresh (id int PRIMARY KEY, v text NOT NULL)",
                    "INSERT INTO fresh SELECT g, 'committed before' FROM generate_series(1, 500) g");
            try (Connection open = DriverManager.getConnection(r.leaderUrl())) {
                open.setAutoCommit(false);
                Sql.execute(open, "INSERT INTO fresh SELECT g, 'written before it was published' FROM generate_series(501, 1000) g");
                r.startCapture();
                assertTrue(publishedTables(r).contains("public.fresh"), publishedTables(r).toString());
                // Capture streams well past the point fresh was published: a table created after it delivers a row.
                r.leader("CREATE TABLE probe (id int PRIMARY KEY)");
                Await.until("table probe is published", Replication.CATCH_UP, () -> publishedTables(r).contains("public.probe"));
                r.leader("INSERT INTO probe VALUES (1)", "INSERT INTO items VALUES (2)");
                Await.until("probe's row is on the follower", Replication.CATCH_UP,
                        () -> Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM probe") == 1);
                Sql.execute(open, "UPDATE fresh SET v = 'updated by the open transaction' WHERE id <= 250",
                        "DELETE FROM fresh WHERE id BETWEEN 251 AND 300",
                        "INSERT INTO fresh SELECT g, 'written after it was published' FROM generate_series(1001, 1100) g");
                open.commit();
            }
            r.awaitFollowerMatchesLeader(List.of(ITEMS, fresh, probe));
            assertEquals(List.of(List.of("committed before", "200"), List.of("updated by the open transaction", "250"),
                    List.of("written after it was published", "100"), List.of("written before it was published", "500")),
                    Sql.queryRows(r.followerUrl(), "SELECT v, count(*) FROM fresh GROUP BY v ORDER BY v"));
        }
    }

    @Test
    void tableCreatedWhileCaptureIsStoppedReachesTheFollowerWithTheRowsWrittenMeanwhile() throws Exception {
        TableId offline = new TableId("public", "offline");
        try (Replication r = new Replication("pub_offline", 1, List.of(EVERY_PUBLIC_TABLE))) {
            r.leader("CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader(List.of(ITEMS));
            r.stopCapture();
            r.leader("CREATE TABLE offline (id int PRIMARY KEY, v text)",
                    "INSERT INTO offline SELECT g, 'while capture was stopped' FROM generate_series(1, 300) g",
                    "INSERT INTO items VALUES (2)");
            r.startCapture();
            r.leader("UPDATE offline SET v = 'after the restart' WHERE id % 3 = 0", "DELETE FROM offline WHERE id % 5 = 0",
                    "INSERT INTO offline VALUES (301, 'new')");
            r.awaitFollowerMatchesLeader(List.of(ITEMS, offline));
        }
    }

    /**
     * An earlier Replog version made the publication FOR ALL TABLES for a pattern. Capture refuses to
     * run with it, names it and gives the statements that replace it; with those run, capture
     * replicates from the same slot, the rows written in between included.
     */
    @Test
    void publicationForAllTablesIsRefusedNamingItAndTheStatementsThatReplaceIt() throws Exception {
        try (Replication r = new Replication("pub_all_tables", 1, List.of(EVERY_PUBLIC_TABLE))) {
            String name = r.leaderDb();
            r.leader("CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'before' FROM generate_series(1, 10) g",
                    "CREATE PUBLICATION " + name + " FOR ALL TABLES",
                    "SELECT pg_create_logical_replication_slot('" + name + "', 'pgoutput')",
                    "INSERT INTO items SELECT g, 'after the slot' FROM generate_series(11, 20) g");
            CaptureException refused = assertThrows(CaptureException.class, r::startCapture);
            String message = refused.getMessage();
            assertTrue(message.startsWith("publication " + name + " on leader "), message);
            assertTrue(message.contains("is FOR ALL TABLES"), message);
            assertTrue(message.contains("refuses UPDATE and DELETE on every leader table that has no primary key"), message);
            assertEquals(List.of(List.of("t")), Sql.queryRows(r.leaderUrl(),
                    "SELECT puballtables FROM pg_publication WHERE pubname = '" + name + "'"), "left as it was");

            String statements = message.substring(message.indexOf("BEGIN;"), message.indexOf("COMMIT;") + "COMMIT;".length());
            assertEquals("BEGIN; DROP PUBLICATION \"" + name + "\"; CREATE PUBLICATION \"" + name + "\"; ALTER PUBLICATION \""
                    + name + "\" OWNER TO \"postgres\"; COMMIT;", statements);
            r.leader(statements);
            r.leader("INSERT INTO items SELECT g, 'after the new publication' FROM generate_series(21, 30) g");
            r.startCapture();
            r.startApplier();
            r.leader("UPDATE items SET v = 'updated' WHERE id % 2 = 0", "DELETE FROM items WHERE id % 7 = 0",
                    "INSERT INTO items VALUES (31, 'streamed')");
            r.awaitFollowerMatchesLeader(List.of(ITEMS));
            assertEquals(List.of("public.items", "replog.heartbeat", "replog.signal_" + name), publishedTables(r));
        }
    }

    private static List<String> publishedTables(Replication r) {
        return Sql.queryRows(r.leaderUrl(), "SELECT schemaname || '.' || tablename FROM pg_publication_tables "
                + "WHERE pubname = '" + r.leaderDb() + "' ORDER BY 1").stream().map(row -> row.get(0)).toList();
    }

    private static void assertAcceptsUpdateAndDelete(Replication r, String table, String column) {
        long before = Sql.queryForLong(r.leaderUrl(), "SELECT count(*) FROM " + table);
        assertDoesNotThrow(() -> r.leader("UPDATE " + table + " SET " + column + " = " + column + " WHERE ctid IN (SELECT ctid FROM "
                + table + " LIMIT 2)", "DELETE FROM " + table + " WHERE ctid IN (SELECT ctid FROM " + table + " LIMIT 1)"),
                "the leader refuses UPDATE or DELETE on " + table);
        assertEquals(before - 1, Sql.queryForLong(r.leaderUrl(), "SELECT count(*) FROM " + table));
    }

    private List<String> warnings() {
        return publicationLog.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private long warningsNaming(String text) {
        return warnings().stream().filter(w -> w.contains(text)).count();
    }

    /**
     * The leader's own application, writing while the test runs: updates {@code items}, and once told,
     * inserts, updates and deletes rows of {@code fresh} with keys from 100000 on (never the keys the
     * test writes).
     */
    private static final class Load implements AutoCloseable {

        private final Thread thread;
        private final AtomicLong rounds = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean fresh;
        private volatile boolean stop;

        Load(String leaderUrl) {
            thread = new Thread(() -> run(leaderUrl), "leader-load");
            thread.start();
        }

        private void run(String url) {
            try (Connection c = DriverManager.getConnection(url)) {
                int next = 100_000;
                while (!stop) {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    Sql.execute(c, "UPDATE items SET n = n + 1 WHERE id = " + (1 + random.nextInt(200)));
                    if (fresh) {
                        Sql.execute(c, "INSERT INTO fresh VALUES (" + next + ", 'load')",
                                "UPDATE fresh SET v = 'load, updated' WHERE id = " + (100_000 + random.nextInt(next - 99_999)),
                                "DELETE FROM fresh WHERE id = " + (100_000 + random.nextInt(next - 99_999)) + " AND id % 4 = 0");
                        next++;
                    }
                    rounds.incrementAndGet();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
            } catch (SQLException | RuntimeException e) {
                failure.set(e);
            }
        }

        void alsoWriteFresh() {
            fresh = true;
        }

        long rounds() {
            return rounds.get();
        }

        void awaitRounds(long n) {
            Await.until("the leader load ran " + n + " rounds", Duration.ofSeconds(60), () -> {
                if (failure.get() != null) {
                    throw new AssertionError("the leader load failed", failure.get());
                }
                return rounds.get() >= n;
            });
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(30_000);
            if (failure.get() != null) {
                throw new AssertionError("the leader load failed", failure.get());
            }
        }
    }
}
