package dev.replog.cli.e2e;

import dev.replog.bench.soak.SoakOptions;
import dev.replog.bench.soak.SoakResult;
import dev.replog.bench.soak.SoakRun;
import dev.replog.cli.Main;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.LogFormat;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TestDatabase;
import dev.replog.testkit.TestServers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short soak (the long one is {@code replog bench --only soak}): a snapshot, several clients
 * over five tables of three partitions, capture and both apply modes at the README's heap, a broker
 * outage longer than every client timeout and a kill of each applier in the middle. Nothing may be
 * lost or doubled, the transactional follower never inconsistent, no service dead on its own.
 */
class SoakTest {

    @TempDir
    Path dir;

    /**
     * In both log formats; the compact run is shorter (fewer snapshot rows, a shorter load with a
     * shorter outage, still longer than the client timeout) to keep CI's time: the same faults in the
     * same order, each checked the same way.
     */
    @ParameterizedTest(name = "log.format={0}")
    @CsvSource({"json, 100000, 60, 20", "compact, 30000, 40, 12"})
    void bothFollowersEqualTheLeaderAfterASoakWithABrokerOutageAndApplierKillsAtTheRecommendedHeap(
            String format, long rows, long seconds, long outage) throws Exception {
        TestServers servers = TestServers.get();
        PostgresServer leader = servers.leader();
        PostgresServer follower = servers.follower();
        String leaderDb = TestDatabase.fresh(leader, "soak");
        String rowDb = TestDatabase.fresh(follower, "soak_row");
        String txDb = TestDatabase.fresh(follower, "soak_tx");
        SoakOptions options = new SoakOptions(Long.getLong("replog.soak.rows", rows), Duration.ofSeconds(Long.getLong("replog.soak.seconds", seconds)),
                4, 40, 3, "256m", Duration.ofSeconds(outage), Duration.ofSeconds(8), Duration.ofSeconds(150), Main.class.getName(), dir,
                LogFormat.parse(format));
        try {
            SoakResult result = new SoakRun(options).run(leader, leaderDb, follower, rowDb, txDb);
            ByteArrayOutputStream report = new ByteArrayOutputStream();
            result.print(new PrintStream(report, true, StandardCharsets.UTF_8));
            System.out.println(report.toString(StandardCharsets.UTF_8));
            if (!result.passed()) {
                keepLogs();
            }
            assertTrue(result.passed(), report.toString(StandardCharsets.UTF_8));
        } finally {
            Sql.execute(leader.jdbcUrl(leaderDb), "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    + "WHERE slot_name = '" + leaderDb + "' AND NOT active");
        }
    }

    private void keepLogs() throws IOException {
        Path kept = Path.of("target", "soak-logs");
        Files.createDirectories(kept);
        try (var logs = Files.list(dir)) {
            for (Path p : logs.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.copy(p, kept.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
