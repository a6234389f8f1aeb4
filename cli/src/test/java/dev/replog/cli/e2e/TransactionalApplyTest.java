package dev.replog.cli.e2e;

import dev.replog.applier.ApplyMode;
import dev.replog.capture.SnapshotMethod;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.BankWorkload;
import dev.replog.testkit.InvariantSampler;
import dev.replog.testkit.Sql;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code apply.mode=transactional}: leader transactions reach the follower whole and in commit order,
 * across tables and partitions, and the watermark tells a reader how far.
 */
class TransactionalApplyTest {

    private static final List<TableId> BANK = List.of(new TableId("public", "accounts"), new TableId("public", "ledger"));

    @Test
    void everyStateAReaderSeesOnTheFollowerExistedOnTheLeaderAcrossRestarts() throws Exception {
        BankWorkload bank = new BankWorkload(40);
        try (Replication r = new Replication("txbank", 3, BANK)) {
            r.mode(ApplyMode.TRANSACTIONAL);
            bank.create(r.leaderUrl());
            r.startCapture();
            r.startApplier();
            AtomicBoolean running = new AtomicBoolean(true);
            try (InvariantSampler sampler = InvariantSampler.start("tx", r.followerUrl(), bank.invariantCheck())) {
                CompletableFuture<Long> workload = CompletableFuture.supplyAsync(() -> transfers(r, bank, running));
                Await.until("follower sampled while transactions stream", Duration.ofSeconds(60), () -> sampler.samples() > 200);
                r.stopApplier();
                r.startApplier();
                r.stopCapture();
                r.startCapture();
                Await.until("more samples after restarts", Duration.ofSeconds(60), () -> sampler.samples() > 600);
                running.set(false);
                long transactions = workload.join();
                r.awaitFollowerMatchesLeader();
                assertEquals(0, sampler.violations(), "after " + transactions + " transfers: " + sampler.summary());
            }
            assertTrue(watermark(r) != null, "replog.watermark is set");
        }
    }

    /**
     * The snapshot becomes visible with the first transaction after it: on an idle leader capture's
     * own heartbeat as streaming starts, not the next periodic one (here an hour away). With the COPY
     * snapshot no other leader transaction follows it (Debezium's snapshot is followed by capture's
     * bookkeeping of the copy).
     */
    @Test
    void theInitialSnapshotOfAnIdleLeaderBecomesVisibleWithoutWaitingForThePeriodicHeartbeat() throws Exception {
        try (Replication r = new Replication("txidlesnap", 2, List.of(new TableId("public", "loaded")))) {
            r.mode(ApplyMode.TRANSACTIONAL);
            r.captureHeartbeat(Duration.ofHours(1));
            r.snapshotMethod(SnapshotMethod.COPY);
            r.leader("CREATE TABLE loaded (id int PRIMARY KEY, v text)",
                    "INSERT INTO loaded SELECT g, 'v' || g FROM generate_series(1, 1000) g");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
        }
    }

    @Test
    void watermarkMovesWhileEveryTableIsIdle() throws Exception {
        try (Replication r = new Replication("txidle", 2, List.of(new TableId("public", "quiet")))) {
            r.mode(ApplyMode.TRANSACTIONAL);
            r.leader("CREATE TABLE quiet (id int PRIMARY KEY)", "INSERT INTO quiet VALUES (1)");
            r.startCapture();
            r.startApplier();
            Await.until("a first watermark", Replication.CATCH_UP, () -> watermark(r) != null);
            Lsn first = watermark(r);
            Await.until("the watermark passes " + first + " with no captured write", Replication.CATCH_UP,
                    () -> watermark(r).isAfter(first));
            r.awaitFollowerMatchesLeader();
        }
    }

    @Test
    void aReaderHoldingTheLeadersLsnTokenReadsItsOwnWriteOnTheFollower() throws Exception {
        try (Replication r = new Replication("txryw", 2, List.of(new TableId("public", "notes")))) {
            r.mode(ApplyMode.TRANSACTIONAL);
            r.leader("CREATE TABLE notes (id int PRIMARY KEY, body text)");
            r.startCapture();
            r.startApplier();
            for (int i = 1; i <= 5; i++) {
                String token;
                try (Connection l = DriverManager.getConnection(r.leaderUrl()); Statement s = l.createStatement()) {
                    s.execute("INSERT INTO notes VALUES (" + i + ", 'note " + i + "')");
                    token = string(s, "SELECT pg_current_wal_lsn()::text");
                }
                try (Connection f = DriverManager.getConnection(r.followerUrl()); Statement s = f.createStatement()) {
                    assertEquals("t", string(s, "SELECT replog.wait_for_lsn('" + token + "', '60 seconds')"), "token " + token);
                    assertEquals("note " + i, string(s, "SELECT body FROM notes WHERE id = " + i));
                }
            }
        }
    }

    @Test
    void aTransactionLargerThanTheFetchQueuesBecomesVisibleAllAtOnce() throws Exception {
        List<TableId> tables = List.of(new TableId("public", "big_a"), new TableId("public", "big_b"));
        try (Replication r = new Replication("txlarge", 3, tables)) {
            r.mode(ApplyMode.TRANSACTIONAL);
            r.leader("CREATE TABLE big_a (id int PRIMARY KEY, v text)", "CREATE TABLE big_b (id int PRIMARY KEY, v text)",
                    "INSERT INTO big_a VALUES (0, 'seed')");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader(tables.subList(0, 1)); // big_b is created on the follower with its first row
            String check = "SELECT (SELECT count(*) FROM big_a) - 1 = (SELECT count(*) FROM big_b)"
                    + " AND (SELECT count(*) FROM big_b) IN (0, 30000), (SELECT count(*) FROM big_b)::text";
            try (InvariantSampler sampler = InvariantSampler.start("txlarge", r.followerUrl(), check)) {
                r.leader("BEGIN; INSERT INTO big_a SELECT g, repeat('a', 50) FROM generate_series(1, 30000) g; "
                        + "INSERT INTO big_b SELECT g, repeat('b', 50) FROM generate_series(1, 30000) g; COMMIT");
                r.awaitFollowerMatchesLeader();
                assertEquals(0, sampler.violations(), sampler.summary());
                assertTrue(sampler.samples() > 0, sampler.summary());
            }
        }
    }

    @Test
    void truncatesSchemaChangesAndKeyUpdatesInsideTransactionsApplyInLeaderOrder() throws Exception {
        List<TableId> tables = List.of(new TableId("public", "items"), new TableId("public", "tags"));
        try (Replication r = new Replication("txddl", 3, tables)) {
            r.mode(ApplyMode.TRANSACTIONAL);
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text)", "CREATE TABLE tags (id int PRIMARY KEY, tag text)",
                    "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 20) g");
            r.startCapture();
            r.startApplier();
            r.leader("BEGIN; INSERT INTO items VALUES (100, 'gone soon'); INSERT INTO tags VALUES (1, 'x'); "
                            + "TRUNCATE items; INSERT INTO items VALUES (101, 'after truncate'); COMMIT",
                    "BEGIN; ALTER TABLE items ADD COLUMN price numeric(8,2) DEFAULT 1.50; "
                            + "INSERT INTO items VALUES (102, 'priced', 9.99); UPDATE tags SET tag = 'y'; COMMIT",
                    "UPDATE items SET id = 200 WHERE id = 101",
                    "BEGIN; DELETE FROM tags; INSERT INTO tags SELECT g, 't' || g FROM generate_series(1, 50) g; COMMIT");
            r.awaitFollowerMatchesLeader();
            Sql.execute(r.leaderUrl(), "INSERT INTO items VALUES (300, 'last', 3)");
            r.awaitFollowerMatchesLeader();
        }
    }

    private static long transfers(Replication r, BankWorkload bank, AtomicBoolean running) {
        try (Connection c = DriverManager.getConnection(r.leaderUrl())) {
            return bank.run(c, new Random(7), running::get, 500);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Lsn watermark(Replication r) throws SQLException {
        try (Connection f = DriverManager.getConnection(r.followerUrl()); Statement s = f.createStatement()) {
            String text = string(s, "SELECT max(commit_lsn)::text FROM replog.watermark");
            return text == null ? null : Lsn.parse(text);
        }
    }

    private static String string(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
