package dev.replog.cli.e2e;

import dev.replog.applier.verify.TableComparison;
import dev.replog.cli.Main;
import dev.replog.embedded.ChildJvm;
import dev.replog.embedded.KafkaBrokerProcess;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.BankWorkload;
import dev.replog.testkit.InvariantSampler;
import dev.replog.testkit.PipelineProperties;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TableContents;
import dev.replog.testkit.TestDatabase;
import dev.replog.testkit.TestServers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capture, two appliers (one follower in {@code row} mode, one in {@code transactional} mode) and
 * the Kafka broker each run as their own OS process. While a bank workload runs on the leader
 * (money moves between accounts, fees go to a ledger: the total never changes), a seeded schedule
 * kills one of the four with SIGKILL, several times, and starts it again. A reader samples each
 * follower throughout: the transactional follower must never show a total the leader never had;
 * the row-mode follower's violation rate is measured and logged (README, Guarantees). Afterwards
 * both followers must equal the leader, row by row.
 * Reproduce a failure with {@code -Dreplog.faults.seed=<seed from the message>}.
 */
class FaultInjectionTest {

    private static final Logger log = LoggerFactory.getLogger(FaultInjectionTest.class);
    private static final List<TableId> TABLES = List.of(new TableId("public", "accounts"), new TableId("public", "ledger"));

    @TempDir
    Path dir;

    /** In both log formats; the compact run has fewer kills (CI's time), each checked the same way. */
    @ParameterizedTest(name = "log.format={0}, {1} kills")
    @CsvSource({"json, 6", "compact, 4"})
    void followersMatchLeaderAndTransactionalReadsStayConsistentWhileEveryProcessIsKilledRepeatedly(String format, int cycles)
            throws Exception {
        try {
            run(format, cycles);
        } catch (AssertionError | RuntimeException e) {
            keepLogs();
            throw e;
        }
    }

    /** The processes' logs outlive the temporary directory when the run fails: target/fault-injection-logs. */
    private void keepLogs() throws IOException {
        Path kept = Path.of("target", "fault-injection-logs");
        Files.createDirectories(kept);
        try (var logs = Files.list(dir)) {
            for (Path p : logs.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.copy(p, kept.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private void run(String format, int cycles) throws Exception {
        long seed = Long.getLong("replog.faults.seed", System.currentTimeMillis());
        Random random = new Random(seed);
        BankWorkload bank = new BankWorkload(50);
        TestServers servers = TestServers.get();
        PostgresServer leader = servers.leader();
        PostgresServer follower = servers.follower();
        String leaderDb = TestDatabase.fresh(leader, "faults");
        String rowDb = TestDatabase.fresh(follower, "faults_row");
        String txDb = TestDatabase.fresh(follower, "faults_tx");
        bank.create(leader.jdbcUrl(leaderDb));

        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(dir);
             InvariantSampler rowReader = InvariantSampler.start("row", follower.jdbcUrl(rowDb), bank.invariantCheck());
             InvariantSampler txReader = InvariantSampler.start("transactional", follower.jdbcUrl(txDb), bank.invariantCheck())) {
            Path rowConfig = writeConfig("row", format, broker.bootstrapServers(), leader, leaderDb, follower, rowDb);
            Path txConfig = writeConfig("transactional", format, broker.bootstrapServers(), leader, leaderDb, follower, txDb);
            try (ChildJvm capture = replog("capture", rowConfig, "capture.log");
                 ChildJvm rowApplier = replog("apply", rowConfig, "apply-row.log");
                 ChildJvm txApplier = replog("apply", txConfig, "apply-tx.log")) {
                AtomicBoolean running = new AtomicBoolean(true);
                CompletableFuture<Long> workload = CompletableFuture.supplyAsync(() -> transfers(bank, leader, leaderDb, seed, running));
                String faults = injectFaults(random, cycles, capture, rowApplier, txApplier, broker);
                running.set(false);
                String context = "log.format " + format + ", seed " + seed + ", faults " + faults + ", " + workload.join() + " leader transactions";
                log.info("injected faults: {}", context);
                try {
                    Await.until("both followers equal the leader after faults (" + context + ")", Duration.ofSeconds(180), () -> {
                        for (ChildJvm p : List.of(capture, rowApplier, txApplier)) {
                            if (!p.isAlive()) {
                                throw new AssertionError("a replog process died (" + context + "):\n" + p.tail(40));
                            }
                        }
                        return matches(leader, leaderDb, follower, rowDb) && matches(leader, leaderDb, follower, txDb);
                    });
                } catch (AssertionError timedOut) {
                    // CI shows the first lines of a failure: say which follower differs and what each process last did.
                    throw new AssertionError(timedOut.getMessage() + "; row follower: " + differences(leader, leaderDb, follower, rowDb)
                            + "; transactional follower: " + differences(leader, leaderDb, follower, txDb)
                            + "; leader's slots: " + slots(leader, leaderDb)
                            + "\n--- capture:\n" + capture.tail(15) + "\n--- apply-row:\n" + rowApplier.tail(15)
                            + "\n--- apply-transactional:\n" + txApplier.tail(15), timedOut);
                }
                for (String db : List.of(rowDb, txDb)) {
                    for (String table : List.of("public.accounts", "public.ledger")) {
                        assertEquals(TableContents.of(leader.jdbcUrl(leaderDb), table, "id"),
                                TableContents.of(follower.jdbcUrl(db), table, "id"), db + " " + table + " (" + context + ")");
                    }
                }
                log.info("invariant on the row-mode follower: {}", rowReader.summary());
                log.info("invariant on the transactional follower: {}", txReader.summary());
                assertTrue(txReader.samples() >= 20, "the transactional follower was sampled: " + txReader.summary());
                assertEquals(0, txReader.violations(), "transactional follower (" + context + "): " + txReader.summary());
            }
        } finally {
            Sql.execute(leader.jdbcUrl(leaderDb), "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    + "WHERE slot_name = '" + leaderDb + "' AND NOT active");
        }
    }

    private ChildJvm replog(String command, Path config, String log) {
        return ChildJvm.start(Main.class.getName(), List.of(command, "--config", config.toString()), "384m", dir.resolve(log));
    }

    /** Kills one of the four processes per cycle, at seeded moments, and starts it again. */
    private static String injectFaults(Random random, int cycles, ChildJvm capture, ChildJvm rowApplier, ChildJvm txApplier,
                                       KafkaBrokerProcess broker) throws InterruptedException {
        List<String> done = new ArrayList<>();
        for (int cycle = 0; cycle < cycles; cycle++) {
            // Pacing the faults, not waiting for a condition: let the pipeline run between kills.
            TimeUnit.MILLISECONDS.sleep(1500 + random.nextInt(2500));
            int victim = random.nextInt(4);
            if (victim == 3) {
                broker.kill();
                broker.restart();
                done.add("broker");
                continue;
            }
            ChildJvm process = List.of(capture, rowApplier, txApplier).get(victim);
            process.kill();
            TimeUnit.MILLISECONDS.sleep(random.nextInt(1500));
            process.restart();
            done.add(List.of("capture", "apply-row", "apply-transactional").get(victim));
        }
        return String.join(" ", done);
    }

    private static long transfers(BankWorkload bank, PostgresServer leader, String db, long seed, AtomicBoolean running) {
        try (Connection c = leader.connect(db)) {
            return bank.run(c, new Random(seed + 1), running::get, 300);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean matches(PostgresServer leader, String leaderDb, PostgresServer follower, String followerDb)
            throws SQLException {
        return comparisons(leader, leaderDb, follower, followerDb).stream().allMatch(TableComparison::matches);
    }

    private static List<TableComparison> comparisons(PostgresServer leader, String leaderDb, PostgresServer follower,
                                                     String followerDb) throws SQLException {
        try (Connection l = leader.connect(leaderDb); Connection f = follower.connect(followerDb)) {
            List<TableComparison> result = new ArrayList<>();
            for (TableId t : TABLES) {
                result.add(TableComparison.compare(l, f, t));
            }
            return result;
        }
    }

    private static String slots(PostgresServer leader, String leaderDb) {
        try (Connection c = leader.connect(leaderDb); var rows = c.createStatement().executeQuery(
                "SELECT slot_name, active_pid, confirmed_flush_lsn, pg_current_wal_lsn() FROM pg_replication_slots")) {
            List<String> slots = new ArrayList<>();
            while (rows.next()) {
                slots.add(rows.getString(1) + " pid " + rows.getString(2) + " flushed " + rows.getString(3) + " (leader at "
                        + rows.getString(4) + ")");
            }
            return slots.toString();
        } catch (SQLException e) {
            return "not readable: " + e.getMessage();
        }
    }

    private static String differences(PostgresServer leader, String leaderDb, PostgresServer follower, String followerDb) {
        try {
            return comparisons(leader, leaderDb, follower, followerDb).stream().map(TableComparison::describe)
                    .collect(java.util.stream.Collectors.joining(", "));
        } catch (SQLException e) {
            return "not comparable: " + e.getMessage();
        }
    }

    private Path writeConfig(String mode, String format, String bootstrap, PostgresServer leader, String leaderDb, PostgresServer follower,
                             String followerDb) throws IOException {
        return PipelineProperties.write(dir.resolve("replog-" + mode + ".properties"), bootstrap, leader, leaderDb, follower,
                followerDb, "public.accounts,public.ledger", 2, mode, List.of("log.format=" + format));
    }
}
