package dev.replog.cli.e2e;

import dev.replog.applier.ApplyMode;
import dev.replog.applier.verify.TableComparison;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capture's watermarks: every partition of every table topic learns, even while nothing is written
 * to it, that every leader transaction committed at or before an LSN is in it, and a follower in
 * either apply mode answers "have you applied this LSN?" with {@code replog.applied_lsn()}.
 */
class WatermarkTest {

    private static final Logger log = LoggerFactory.getLogger(WatermarkTest.class);
    private static final TableId ITEMS = new TableId("public", "items");
    private static final TableId IDLE = new TableId("public", "idle");

    /** A leader transaction: its xid, and {@code pg_current_wal_lsn()} read right after it committed. */
    private record Commit(long xid, Lsn token, long committedAtNanos) {
    }

    @Test
    void everyPartitionGetsAWatermarkCoveringAWritesCommitWithinSecondsWhileTheLeaderIsOtherwiseIdle() throws Exception {
        try (Replication r = new Replication("wm_idle", 3, List.of(ITEMS))) {
            r.captureHeartbeat(Duration.ofHours(1)); // no heartbeat transaction moves the watermark here
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text)", "INSERT INTO items VALUES (0, 'snapshot')");
            r.startCapture();
            String topic = r.topics().forTable(ITEMS);
            try (LogWatermarks seen = new LogWatermarks(r, List.of(topic))) {
                Commit write = commit(r, "INSERT INTO items VALUES (1, 'one')");
                Lsn end = seen.endOf(write.xid());
                // The END's LSN header is the commit's end: never past what the leader had written by then.
                assertFalse(end.isAfter(write.token()), "END " + end + " after pg_current_wal_lsn() " + write.token());
                Await.until("every partition of " + topic + " has a watermark at or past END " + end, Duration.ofSeconds(3),
                        () -> {
                            seen.poll();
                            return seen.everyPartitionAtLeast(topic, end);
                        });
                log.info("watermarks at or past the write's END {} (token {}) in all 3 partitions {} ms after its commit",
                        end, write.token(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - write.committedAtNanos()));
            }
        }
    }

    @Test
    void aTokenTakenRightAfterACommitIsCoveredByAWatermarkWithinASecond() throws Exception {
        try (Replication r = new Replication("wm_token", 2, List.of(ITEMS))) {
            // Heartbeats cover a token that other WAL (autovacuum, a checkpoint) put past the write's own END.
            r.captureHeartbeat(Duration.ofMillis(500));
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text)", "INSERT INTO items VALUES (0, 'snapshot')");
            r.startCapture();
            String topic = r.topics().forTable(ITEMS);
            try (LogWatermarks seen = new LogWatermarks(r, List.of(topic))) {
                int ownEnd = 0;
                List<Long> millis = new ArrayList<>();
                for (int i = 1; i <= 10; i++) {
                    Commit write = commit(r, "INSERT INTO items VALUES (" + i + ", 'row')");
                    Await.until("a watermark covers token " + write.token() + " in every partition", Duration.ofSeconds(1),
                            () -> {
                                seen.poll();
                                return seen.everyPartitionAtLeast(topic, write.token());
                            });
                    millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - write.committedAtNanos()));
                    Lsn end = seen.endOf(write.xid());
                    assertFalse(end.isAfter(write.token()), "END " + end + " after pg_current_wal_lsn() " + write.token());
                    ownEnd += end.equals(write.token()) ? 1 : 0;
                }
                log.info("10 tokens covered after {} ms; {} of them equal to their transaction's END LSN", millis, ownEnd);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ApplyMode.class)
    void aFollowerInEitherModeShowsEveryWriteOnceItsAppliedLsnReachesTheWritesToken(ApplyMode mode) throws Exception {
        try (Replication r = new Replication("wm_ryw_" + mode, 3, List.of(ITEMS, IDLE))) {
            r.mode(mode);
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text)", "CREATE TABLE idle (id int PRIMARY KEY)",
                    "INSERT INTO items VALUES (0, 'snapshot')", "INSERT INTO idle SELECT g FROM generate_series(1, 5) g");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
            for (int i = 1; i <= 15; i++) {
                Commit write = commit(r, "INSERT INTO items VALUES (" + i + ", 'row')",
                        "UPDATE items SET name = 'moved on " + i + "' WHERE id = " + (i - 1));
                assertEquals("t", single(r.followerUrl(), "SELECT replog.wait_for_lsn('" + write.token() + "', '30 seconds')"),
                        "the follower reaches token " + write.token());
                assertEquals("t", single(r.followerUrl(), "SELECT replog.applied_lsn() >= '" + write.token() + "'"));
                assertEquals(List.of(List.of("row"), List.of("moved on " + i)), Sql.queryRows(r.followerUrl(),
                        "SELECT name FROM items WHERE id IN (" + i + ", " + (i - 1) + ") ORDER BY id DESC"), "write " + i + " is visible");
            }
            r.leader("INSERT INTO items SELECT g, 'bulk' FROM generate_series(100, 400) g", "DELETE FROM items WHERE id % 7 = 0");
            Commit last = commit(r, "UPDATE items SET name = 'last' WHERE id = 100");
            assertEquals("t", single(r.followerUrl(), "SELECT replog.wait_for_lsn('" + last.token() + "', '60 seconds')"));
            try (Connection l = DriverManager.getConnection(r.leaderUrl()); Connection f = DriverManager.getConnection(r.followerUrl())) {
                for (TableId t : List.of(ITEMS, IDLE)) {
                    assertTrue(TableComparison.compare(l, f, t).matches(), t + " equal on the follower as soon as its applied LSN reaches the token");
                }
            }
        }
    }

    @Test
    void aTableIdleSinceCaptureRestartedStillGetsWatermarks() throws Exception {
        try (Replication r = new Replication("wm_restart", 2, List.of(ITEMS, IDLE))) {
            r.captureHeartbeat(Duration.ofHours(1));
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text)", "CREATE TABLE idle (id int PRIMARY KEY)",
                    "INSERT INTO items VALUES (0, 'snapshot')", "INSERT INTO idle VALUES (1)");
            r.startCapture();
            String idle = r.topics().forTable(IDLE);
            try (LogWatermarks seen = new LogWatermarks(r, List.of(idle))) {
                r.stopCapture();
                r.startCapture();
                Lsn end = seen.endOf(commit(r, "INSERT INTO items VALUES (1, 'after the restart')").xid());
                Await.until("every partition of " + idle + " has a watermark at or past " + end, Duration.ofSeconds(5), () -> {
                    seen.poll();
                    return seen.everyPartitionAtLeast(idle, end);
                });
            }
        }
    }

    @Test
    void aTableTopicDeletedWhileCaptureRunsGetsNoMoreWatermarksAndCaptureGoesOn() throws Exception {
        try (Replication r = new Replication("wm_deleted", 2, List.of(ITEMS, IDLE))) {
            r.kafkaClientTimeout(Duration.ofSeconds(3)); // how long a send to the deleted topic blocks before it fails
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text)", "CREATE TABLE idle (id int PRIMARY KEY)",
                    "INSERT INTO items VALUES (0, 'snapshot')", "INSERT INTO idle VALUES (1)");
            r.startCapture();
            String items = r.topics().forTable(ITEMS);
            String idle = r.topics().forTable(IDLE);
            try (LogWatermarks seen = new LogWatermarks(r, List.of(items, idle))) {
                Lsn before = seen.endOf(commit(r, "INSERT INTO items VALUES (1, 'before')").xid());
                Await.until("watermarks in " + idle, Duration.ofSeconds(5), () -> {
                    seen.poll();
                    return seen.everyPartitionAtLeast(idle, before);
                });
            }
            try (Admin admin = Admin.create(r.kafka().clientConfig())) {
                admin.deleteTopics(List.of(idle)).all().get();
            }
            try (LogWatermarks seen = new LogWatermarks(r, List.of(items))) {
                Lsn after = seen.endOf(commit(r, "INSERT INTO items VALUES (2, 'after')").xid());
                Await.until("watermarks in " + items + " past " + after, Duration.ofSeconds(30), () -> {
                    seen.poll();
                    return seen.everyPartitionAtLeast(items, after);
                });
            }
            try (Admin admin = Admin.create(r.kafka().clientConfig())) {
                assertFalse(admin.listTopics().names().get().contains(idle), "the deleted topic is not created again");
            }
        }
    }

    @Test
    void noWatermarkIsWrittenWhenTheIntervalIsZero() throws Exception {
        try (Replication r = new Replication("wm_off", 2, List.of(ITEMS))) {
            r.watermarkInterval(Duration.ZERO);
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text)", "INSERT INTO items VALUES (0, 'snapshot')");
            r.startCapture();
            try (LogWatermarks seen = new LogWatermarks(r, List.of(r.topics().forTable(ITEMS)))) {
                seen.endOf(commit(r, "INSERT INTO items VALUES (1, 'one')").xid());
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                while (System.nanoTime() < until) {
                    seen.poll();
                }
                assertEquals(0, seen.watermarkRecords(), "watermarks in the log: " + seen.highest());
            }
        }
    }

    /** Runs the statements as one leader transaction; the token is read on the same connection right after its commit. */
    private static Commit commit(Replication r, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(r.leaderUrl())) {
            c.setAutoCommit(false);
            long xid = Sql.queryForLong(c, "SELECT txid_current()");
            Sql.execute(c, statements);
            c.commit();
            long at = System.nanoTime();
            Lsn token = Lsn.parse(Sql.queryRows(c, "SELECT pg_current_wal_lsn()::text").get(0).get(0));
            c.commit();
            return new Commit(xid, token, at);
        }
    }

    private static String single(String url, String sql) {
        return Sql.queryRows(url, sql).get(0).get(0);
    }
}
