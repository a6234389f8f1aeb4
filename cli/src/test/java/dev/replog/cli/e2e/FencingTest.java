package dev.replog.cli.e2e;

import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplyException;
import dev.replog.applier.ApplyMode;
import dev.replog.cli.Main;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.BankWorkload;
import dev.replog.testkit.InvariantSampler;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TcpProxy;
import dev.replog.testkit.TestServers;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Only the current owner of a partition moves the follower (issue 11, item 6): a stale row-mode
 * member, a second transactional applier, an applier of another group and a second follower of the
 * same group are each kept from writing, or refused, and the follower never goes backwards.
 */
class FencingTest {

    private static final TableId COUNTERS = new TableId("public", "counters");
    private static final List<TableId> BANK = List.of(new TableId("public", "accounts"), new TableId("public", "ledger"));
    private static final int KEYS = 200;
    /** The transactional applier's lease: {@code pg_try_advisory_lock(1380274252, 1)} ("REPL", 1). */
    private static final String LEASE_HOLDER = "SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted "
            + "AND l.classid = 1380274252 AND l.objid = 1 AND l.objsubid = 2 "
            + "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())";

    @TempDir
    Path dir;

    /**
     * A member whose follower connection hangs (a network partition: it has polled changes and
     * cannot write them) is given up by the group; another member takes its partitions and applies
     * newer changes. When the partition heals, the stale member tries to write what it holds: it is
     * fenced, writes nothing, rejoins the group and applies its new share. Triggers on the follower
     * record any row value or stored position that moves backwards, in any committed transaction.
     */
    @Test
    void aZombieApplierThatLostItsPartitionsCannotMoveTheFollowerBackwards() throws Exception {
        TestServers servers = TestServers.get();
        try (Replication r = new Replication("fence_zombie", 4, List.of(COUNTERS));
             TcpProxy link = TcpProxy.start(servers.follower().host(), servers.follower().port())) {
            r.leader("CREATE TABLE counters (id int PRIMARY KEY, value bigint NOT NULL)",
                    "INSERT INTO counters SELECT g, 0 FROM generate_series(1, " + KEYS + ") g");
            r.startCapture();
            String throughLink = r.followerUrl().replace(":" + servers.follower().port() + "/", ":" + link.port() + "/");
            ApplierService zombie = ApplierService.start(r.applierSettings(throughLink, r.group()));
            try {
                r.awaitFollowerMatchesLeader();
                recordRegressionsOnFollower(r);
                r.follower("CREATE TRIGGER never_back BEFORE UPDATE ON public.counters FOR EACH ROW "
                        + "EXECUTE FUNCTION fence_audit.counter_back()");
                long appliedBeforePartition = zombie.appliedCount();

                link.freeze();
                int round = 1;
                updateEveryKey(r, round);
                Await.until("the stale member polled round 1 and tries to write it", Replication.CATCH_UP,
                        () -> link.bytesHeld() > 0);
                // What the coordinator does once session.timeout.ms or max.poll.interval.ms passes.
                try (Admin admin = Admin.create(r.kafka().clientConfig())) {
                    admin.removeMembersFromConsumerGroup(r.group(), new RemoveMembersFromConsumerGroupOptions())
                            .all().get(30, TimeUnit.SECONDS);
                }
                r.startApplier();
                for (round = 2; round <= 4; round++) {
                    updateEveryKey(r, round);
                }
                r.awaitFollowerMatchesLeader();
                assertEquals(0, zombie.appliedCount() - appliedBeforePartition, "the stale member wrote nothing meanwhile");

                link.thaw();
                int[] rounds = {round - 1};
                Await.until("the stale member, fenced, rejoined the group and applies its new share", Replication.CATCH_UP, () -> {
                    updateEveryKey(r, ++rounds[0]);
                    return zombie.appliedCount() > appliedBeforePartition;
                });
                r.awaitFollowerMatchesLeader();
                assertEquals(List.of(), regressions(r), "rows or positions that moved backwards on the follower");
                assertEquals((long) rounds[0] * KEYS, Sql.queryForLong(r.followerUrl(), "SELECT sum(value) FROM counters"));
            } finally {
                zombie.close();
            }
        }
    }

    /**
     * Two transactional appliers on one follower: the second stands by and applies nothing while
     * the first runs; it takes over when the first stops. A reader sees only states the leader had.
     */
    @Test
    void aSecondTransactionalApplierStandsByAndTakesOverWhenTheFirstStops() throws Exception {
        BankWorkload bank = new BankWorkload(40);
        try (Replication r = new Replication("fence_tx_standby", 3, BANK)) {
            r.mode(ApplyMode.TRANSACTIONAL);
            bank.create(r.leaderUrl());
            r.startCapture();
            r.startApplier();
            Await.until("the first applier applies the snapshot", Replication.CATCH_UP, () -> r.applier().appliedCount() > 0);
            recordRegressionsOnFollower(r);
            ApplierService second = ApplierService.start(r.applierSettings());
            AtomicBoolean running = new AtomicBoolean(true);
            try (InvariantSampler sampler = InvariantSampler.start("tx-standby", r.followerUrl(), bank.invariantCheck())) {
                // A gentle rate: a second applier that wrongly applied too would keep up, and commit.
                CompletableFuture<Long> workload = CompletableFuture.supplyAsync(() -> transfers(r, bank, running, 100));
                long firstApplied = r.applier().appliedCount();
                Await.until("the first applier applies transfers for a while", Replication.CATCH_UP,
                        () -> r.applier().appliedCount() > firstApplied + 2000 && sampler.samples() > 200);
                assertEquals(0, second.appliedCount(), "the standby applied nothing while the first applier ran");
                assertEquals(List.of(), regressions(r), "positions or watermark that moved backwards on the follower");

                r.stopApplier();
                Await.until("the standby took over", Replication.CATCH_UP, () -> second.appliedCount() > 300);
                running.set(false);
                long transactions = workload.join();
                awaitFollowerMatchesLeader(r, second);
                assertEquals(0, sampler.violations(), "after " + transactions + " transfers: " + sampler.summary());
                assertEquals(List.of(), regressions(r), "positions or watermark that moved backwards on the follower");
            } finally {
                running.set(false);
                second.close();
            }
        }
    }

    /**
     * The active transactional applier's follower connections stop answering (a network partition)
     * and its lease session is gone: the standby takes the lease and claims every partition. When
     * the partition heals, the old applier still holds fetched transactions it had not written; its
     * next follower transaction is fenced, it writes nothing more and stands by.
     */
    @Test
    void aTransactionalApplierWhoseLeaseSessionDiedIsFencedByTheApplierThatTookOver() throws Exception {
        BankWorkload bank = new BankWorkload(40);
        TestServers servers = TestServers.get();
        try (Replication r = new Replication("fence_tx_zombie", 3, BANK);
             TcpProxy link = TcpProxy.start(servers.follower().host(), servers.follower().port())) {
            r.mode(ApplyMode.TRANSACTIONAL);
            bank.create(r.leaderUrl());
            r.startCapture();
            String throughLink = r.followerUrl().replace(":" + servers.follower().port() + "/", ":" + link.port() + "/");
            ApplierService first = ApplierService.start(r.applierSettings(throughLink, r.group()));
            AtomicBoolean running = new AtomicBoolean(true);
            try {
                Await.until("the first applier applies the snapshot", Replication.CATCH_UP, () -> first.appliedCount() > 0);
                recordRegressionsOnFollower(r);
                ApplierService second = ApplierService.start(r.applierSettings());
                try (InvariantSampler sampler = InvariantSampler.start("tx-zombie", r.followerUrl(), bank.invariantCheck())) {
                    CompletableFuture<Long> workload = CompletableFuture.supplyAsync(() -> transfers(r, bank, running, 50));
                    long firstApplied = first.appliedCount();
                    Await.until("the first applier applies transfers", Replication.CATCH_UP,
                            () -> first.appliedCount() > firstApplied + 200);
                    assertEquals(0, second.appliedCount(), "the standby applied nothing yet");

                    link.freeze();
                    Sql.execute(r.followerUrl(), "SELECT pg_terminate_backend(pid) FROM (" + LEASE_HOLDER + ") h");
                    // If the partition caught the first applier inside a transaction, its claim waits for it.
                    Await.until("the standby took over, or waits to claim the partitions", Replication.CATCH_UP,
                            () -> second.appliedCount() > 0 || claimWaits(r));
                    link.thaw();
                    Await.until("the standby took over", Replication.CATCH_UP, () -> second.appliedCount() > 0);
                    long firstFinal = first.appliedCount();
                    long secondAtTakeOver = second.appliedCount();
                    Await.until("the new applier applies more", Replication.CATCH_UP,
                            () -> second.appliedCount() > secondAtTakeOver + 300);
                    assertEquals(firstFinal, first.appliedCount(), "the fenced applier applied nothing after the take-over");
                    assertTrue(!first.stopped().isDone(), "the fenced applier stands by rather than exiting");

                    running.set(false);
                    long transactions = workload.join();
                    awaitFollowerMatchesLeader(r, second);
                    assertEquals(0, sampler.violations(), "after " + transactions + " transfers: " + sampler.summary());
                    assertEquals(List.of(), regressions(r), "positions or watermark that moved backwards on the follower");
                } finally {
                    running.set(false);
                    second.close();
                }
            } finally {
                first.close();
            }
        }
    }

    private static boolean claimWaits(Replication r) {
        return Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                + "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO replog.partition_owners%'") > 0;
    }

    /** A follower records the group and mode that feed it; an applier of another group, or mode, refuses at start. */
    @Test
    void anApplierOfAnotherGroupRefusesToStartOnAFollowerAlreadyFed() throws Exception {
        try (Replication r = new Replication("fence_groups", 2, List.of(COUNTERS))) {
            r.leader("CREATE TABLE counters (id int PRIMARY KEY, value bigint NOT NULL)",
                    "INSERT INTO counters SELECT g, 0 FROM generate_series(1, 20) g");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();

            ApplyException refused = assertThrows(ApplyException.class,
                    () -> ApplierService.start(r.applierSettings(r.followerUrl(), "another-group")));
            assertTrue(refused.getMessage().contains("is fed by apply.group.id '" + r.group() + "' (apply.mode row, since "),
                    refused.getMessage());
            assertTrue(refused.getMessage().contains("not 'another-group'"), refused.getMessage());
            assertTrue(refused.getMessage().contains("Set apply.group.id=" + r.group() + "; or, if group '" + r.group()
                    + "' runs nowhere any more, hand the follower over by running on it: "
                    + "UPDATE replog.follower SET group_id = 'another-group'"), refused.getMessage());

            r.mode(ApplyMode.TRANSACTIONAL);
            ApplyException otherMode = assertThrows(ApplyException.class, () -> ApplierService.start(r.applierSettings()));
            assertTrue(otherMode.getMessage().contains("is applied in apply.mode=row (group '" + r.group() + "'"),
                    otherMode.getMessage());

            // The command exits 1 with that message (and no process stays up).
            assertEquals(1, Main.run("apply", "--config", config(r, "another-group").toString()));

            r.leader("UPDATE counters SET value = value + 1");
            r.awaitFollowerMatchesLeader();
        }
    }

    /**
     * Two followers sharing one apply.group.id would each get only part of the log: the applier
     * of the second follower finds the group's offsets committed for the first and stops, having
     * written nothing; the first follower goes on.
     */
    @Test
    void twoFollowersSharingOneGroupIdAreDetected() throws Exception {
        try (Replication r = new Replication("fence_shared", 2, List.of(COUNTERS))) {
            r.leader("CREATE TABLE counters (id int PRIMARY KEY, value bigint NOT NULL)",
                    "INSERT INTO counters SELECT g, 0 FROM generate_series(1, " + KEYS + ") g");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
            try (Admin admin = Admin.create(r.kafka().clientConfig())) {
                Await.until("the group's offsets are committed with the follower id", Replication.CATCH_UP, () -> {
                    Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(r.group())
                            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                    return offsets.size() == 2 && offsets.values().stream().allMatch(o -> o.metadata().startsWith("replog-follower="));
                });
            }

            String secondFollower = r.anotherFollower("fence_shared_second");
            ApplierService second = ApplierService.start(r.applierSettings(secondFollower, r.group()));
            try {
                CompletionException stopped = assertThrows(CompletionException.class,
                        () -> second.stopped().orTimeout(90, TimeUnit.SECONDS).join());
                ApplyException refused = assertInstanceOf(ApplyException.class, stopped.getCause());
                assertTrue(refused.getMessage().startsWith("apply.group.id '" + r.group() + "' feeds another follower: "
                        + "the offset of partition "), refused.getMessage());
                assertTrue(refused.getMessage().contains("Give each follower its own apply.group.id"), refused.getMessage());
                assertEquals(0, second.appliedCount());
                assertEquals(List.of(List.of("0")), Sql.queryRows(secondFollower,
                        "SELECT count(*) FROM replog.positions"), "the second follower got nothing");
            } finally {
                second.close();
            }

            r.leader("UPDATE counters SET value = value + 1");
            r.awaitFollowerMatchesLeader();
        }
    }

    /**
     * Logs, in the follower, every committed change that moves a stored position or the watermark
     * backwards (and, with its trigger, a counter's value): a trigger sees every transaction, where a
     * reader would only sample.
     */
    private static void recordRegressionsOnFollower(Replication r) {
        r.follower("CREATE SCHEMA fence_audit",
                "CREATE TABLE fence_audit.regressions (what text, was text, became text)",
                """
                CREATE FUNCTION fence_audit.counter_back() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    IF NEW.value < OLD.value THEN
                        INSERT INTO fence_audit.regressions VALUES ('counter ' || OLD.id, OLD.value, NEW.value);
                    END IF;
                    RETURN NEW; END $$""",
                """
                CREATE FUNCTION fence_audit.position_back() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    IF NEW.kafka_offset < OLD.kafka_offset THEN
                        INSERT INTO fence_audit.regressions
                        VALUES ('position ' || OLD.topic || '-' || OLD.partition, OLD.kafka_offset, NEW.kafka_offset);
                    END IF;
                    RETURN NEW; END $$""",
                """
                CREATE FUNCTION fence_audit.watermark_back() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                    IF NEW.commit_lsn < OLD.commit_lsn THEN
                        INSERT INTO fence_audit.regressions VALUES ('watermark', OLD.commit_lsn, NEW.commit_lsn);
                    END IF;
                    RETURN NEW; END $$""",
                "CREATE TRIGGER never_back BEFORE UPDATE ON replog.positions FOR EACH ROW EXECUTE FUNCTION fence_audit.position_back()",
                "CREATE TRIGGER never_back BEFORE UPDATE ON replog.watermark FOR EACH ROW EXECUTE FUNCTION fence_audit.watermark_back()");
    }

    private static List<List<String>> regressions(Replication r) {
        return Sql.queryRows(r.followerUrl(), "SELECT what, was, became FROM fence_audit.regressions");
    }

    private static void updateEveryKey(Replication r, int round) {
        r.leader("UPDATE counters SET value = " + round);
    }

    private static void awaitFollowerMatchesLeader(Replication r, ApplierService applier) {
        r.awaitFollowerMatchesLeader();
        assertTrue(!applier.stopped().isDone(), "the applier that took over still runs");
    }

    private static long transfers(Replication r, BankWorkload bank, AtomicBoolean running, int perSecond) {
        try (Connection c = DriverManager.getConnection(r.leaderUrl())) {
            return bank.run(c, new Random(11), running::get, perSecond);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path config(Replication r, String group) throws Exception {
        TestServers servers = TestServers.get();
        Path file = dir.resolve("replog-" + group + ".properties");
        Files.write(file, List.of(
                "kafka.bootstrap.servers=" + servers.kafka().bootstrapServers(),
                "topics.prefix=" + r.topics().prefix(),
                "follower.jdbc.url=" + r.followerUrl().replaceFirst("\\?.*$", ""),
                "follower.user=" + servers.follower().user(),
                "follower.sslmode=disable",
                "apply.group.id=" + group,
                "apply.http.listen=127.0.0.1:0", // several appliers run at once
                "startup.timeout.seconds=10"));
        return file;
    }
}
