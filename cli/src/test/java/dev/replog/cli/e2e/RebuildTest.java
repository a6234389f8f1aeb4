package dev.replog.cli.e2e;

import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyException;
import dev.replog.applier.ApplyMode;
import dev.replog.applier.rebuild.FollowerRebuild;
import dev.replog.applier.rebuild.RebuildProgress;
import dev.replog.cli.Main;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.BankWorkload;
import dev.replog.testkit.PipelineProperties;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TableContents;
import dev.replog.testkit.TestServers;
import dev.replog.topology.TopologyException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code replog follower rebuild}: a follower built again from the log alone, live or as of a point in time. */
class RebuildTest {

    private static final List<TableId> BANK = List.of(new TableId("public", "accounts"), new TableId("public", "ledger"));

    @ParameterizedTest
    @EnumSource(ApplyMode.class)
    void aDamagedFollowerIsRebuiltWhileTheLeaderIsWrittenAndThenFollowsTheLog(ApplyMode mode) throws Exception {
        BankWorkload bank = new BankWorkload(40);
        try (Replication r = new Replication("rebuild" + mode.name().toLowerCase(), 2, BANK)) {
            r.mode(mode);
            bank.create(r.leaderUrl());
            r.startCapture();
            r.startApplier();
            AtomicBoolean running = new AtomicBoolean(true);
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> transfers(r, bank, running));
            Await.until("the applier has applied transfers", Replication.CATCH_UP, () -> Long.parseLong(
                    Sql.queryRows(r.followerUrl(), "SELECT count(*) FROM ledger").get(0).get(0)) > 0);

            ApplyException refused = assertThrows(ApplyException.class, () -> rebuild(r.applierSettings(), request(null, null, true)));
            assertTrue(refused.getMessage().contains("an applier of follower") && refused.getMessage().contains("is running"),
                    refused.getMessage());

            r.stopApplier();
            r.follower("UPDATE accounts SET balance = 0 WHERE id <= 5", "DELETE FROM accounts WHERE id > 30",
                    "DROP TABLE ledger");
            ApplierService following = rebuild(r.applierSettings(), request(null, null, true));
            r.applierStarted(following);
            running.set(false);
            assertTrue(writer.join() > 0, "the leader was written during the rebuild");
            r.awaitFollowerMatchesLeader();

            r.leader("INSERT INTO accounts VALUES (1000, 7)");
            r.awaitFollowerMatchesLeader();

            // One table, stopping once rebuilt: a later applier goes on from the positions it stored.
            r.stopApplier();
            r.follower("DELETE FROM ledger WHERE id % 3 = 0");
            r.leader("INSERT INTO accounts VALUES (1001, 8)");
            FollowerRebuild.Request ledgerOnly = new FollowerRebuild.Request(List.of(BANK.get(1)), null, null, false);
            assertNull(rebuild(r.applierSettings(), ledgerOnly, "rebuilt public.ledger: "));
            r.startApplier();
            r.awaitFollowerMatchesLeader();
        }
    }

    @Test
    void aPointInTimeRebuildHoldsExactlyTheLeadersStateAtThatLsnOrTimeAndNoApplierFollowsIt() throws Exception {
        BankWorkload bank = new BankWorkload(40);
        try (Replication r = new Replication("rebuildpit", 3, BANK)) {
            bank.create(r.leaderUrl());
            r.startCapture();
            AtomicBoolean running = new AtomicBoolean(true);
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> transfers(r, bank, running));
            awaitTransfers(r, 50);
            LeaderCopy atLsn = LeaderCopy.take(r);
            awaitTransfers(r, 100);
            LeaderCopy atTime = LeaderCopy.take(r);
            awaitTransfers(r, 150);

            ApplierSettings byLsn = r.applierSettings(r.anotherFollower("pitlsn"), r.group() + "-pitlsn");
            assertNull(rebuild(byLsn, request(atLsn.lsn(), null, false)));
            atLsn.assertEquals(byLsn);

            ApplierSettings byTime = r.applierSettings(r.anotherFollower("pittime"), r.group() + "-pittime");
            assertNull(rebuild(byTime, request(null, atTime.time(), false)));
            atTime.assertEquals(byTime);

            running.set(false);
            writer.join();
            ApplyException refused = assertThrows(ApplyException.class, () -> ApplierService.start(byLsn));
            assertTrue(refused.getMessage().contains("rebuilt to LSN " + atLsn.lsn())
                    && refused.getMessage().contains("does not follow the log"), refused.getMessage());
        }
    }

    @Test
    void aLogThatLosesHistoryIsRefusedByCaptureAndByRebuildNamingTopicAndSetting() throws Exception {
        List<TableId> tables = List.of(new TableId("public", "kept_week"), new TableId("public", "compacted"));
        try (Replication r = new Replication("rebuildretention", 1, tables);
             Admin admin = Admin.create(r.kafka().clientConfig())) {
            r.leader("CREATE TABLE kept_week (id int PRIMARY KEY)", "CREATE TABLE compacted (id int PRIMARY KEY)");
            String week = r.topics().forTable(tables.get(0));
            String compacted = r.topics().forTable(tables.get(1));
            admin.createTopics(List.of(new NewTopic(week, 1, (short) 1).configs(Map.of("retention.ms", "604800000")),
                    new NewTopic(compacted, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();

            TopologyException capture = assertThrows(TopologyException.class, () -> r.startCapture(false));
            assertTrue(capture.getMessage().contains("topic " + week + " has retention.ms=604800000")
                    && capture.getMessage().contains("topic " + compacted + " has cleanup.policy=compact"), capture.getMessage());

            // A row-mode rebuild may start from refresh copies of a windowed log, but never reads a compacted one.
            ApplyException rebuild = assertThrows(ApplyException.class, () -> rebuild(r.applierSettings(), request(null, null, false)));
            assertTrue(rebuild.getMessage().contains("topic " + compacted + " has cleanup.policy=compact"), rebuild.getMessage());
            ApplyException pointInTime = assertThrows(ApplyException.class,
                    () -> rebuild(r.applierSettings(), request(Lsn.parse("0/16B3F20"), null, false)));
            assertTrue(pointInTime.getMessage().contains("topic " + week + " has retention.ms=604800000"), pointInTime.getMessage());
        }
    }

    @Test
    void theCommandRefusesAPointThatIsNoLsnOrInstantNamingIt(@TempDir Path dir) throws Exception {
        TestServers servers = TestServers.get();
        Path config = PipelineProperties.write(dir.resolve("replog.properties"), servers.kafka().bootstrapServers(),
                servers.leader(), "postgres", servers.follower(), "postgres", "public.t", 1, "row", List.of());
        for (String[] point : List.of(new String[]{"--to-lsn", "16B3F20"}, new String[]{"--to-time", "yesterday"})) {
            PrintStream original = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            try {
                assertEquals(2, Main.run("follower", "rebuild", "--config", config.toString(), point[0], point[1]));
            } finally {
                System.setErr(original);
            }
            assertTrue(err.toString(StandardCharsets.UTF_8).contains(point[0] + " '" + point[1] + "' is not"), err.toString());
        }
    }

    /** Waits until the leader has committed this many transfers (each adds a fee to the ledger). */
    private static void awaitTransfers(Replication r, int transfers) {
        Await.until("the leader committed " + transfers + " transfers", Duration.ofSeconds(60), () -> Long.parseLong(
                Sql.queryRows(r.leaderUrl(), "SELECT coalesce(max(id), 0) FROM ledger").get(0).get(0)) >= transfers);
    }

    private static ApplierService rebuild(ApplierSettings settings, FollowerRebuild.Request request) {
        return rebuild(settings, request, "rebuilt public.accounts: ");
    }

    /** Runs a rebuild, which prints a line per table and a summary. */
    private static ApplierService rebuild(ApplierSettings settings, FollowerRebuild.Request request, String tableLine) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ApplierService following = new FollowerRebuild(settings, request, RebuildProgress.NONE,
                new PrintStream(out, true, StandardCharsets.UTF_8)).run();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains(tableLine) && printed.contains("rows/s"), printed);
        return following;
    }

    private static FollowerRebuild.Request request(Lsn toLsn, Instant toTime, boolean follow) {
        return new FollowerRebuild.Request(List.of(), toLsn, toTime, follow);
    }

    private static long transfers(Replication r, BankWorkload bank, AtomicBoolean running) {
        try (Connection c = DriverManager.getConnection(r.leaderUrl())) {
            return bank.run(c, new Random(13), running::get, 100);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
