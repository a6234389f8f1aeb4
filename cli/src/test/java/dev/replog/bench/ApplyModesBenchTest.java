package dev.replog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.cli.Main;
import dev.replog.testkit.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code replog bench --apply-mode both}, small: a 3,000-row bulk insert runs through native
 * replication and through Replog in each apply mode, every follower is compared with its leader,
 * and the report shows the three side by side. In the cli module (package of the bench) because
 * Replog's side runs {@code replog capture|apply} child JVMs from the cli's classes.
 */
class ApplyModesBenchTest {

    private static final long ROWS = 3_000;

    @TempDir
    Path dir;

    @Test
    void aBulkInsertIsMeasuredInBothApplyModesBesideNativeAndEachFollowerEqualsItsLeader() throws Exception {
        TestServers servers = TestServers.get();
        BenchOptions options = new BenchOptions(ROWS, 1, Duration.ofSeconds(1), 1, 1, 1, Set.of("insert"), 1, "256m", List.of(),
                false, "java", dir, Duration.ofSeconds(180), Main.class.getName(), ReplicationKind.replogModes("both"),
                "replog bench --only insert --rows 3000 --apply-mode both");
        BenchResults results = new BenchResults();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        ProcessCpu cpu = ProcessCpu.of(Map.of("leader PostgreSQL", servers.leader().pid(),
                "follower PostgreSQL", servers.follower().pid(), "bench driver", ProcessHandle.current().pid()));
        WorkloadRunner runner = new WorkloadRunner(servers.leader(), servers.follower(),
                new ReplogPipeline.Launch(options.replogMainClass(), options.childHeap(), List.of(), dir,
                        servers.kafka().bootstrapServers(), options.partitions(), options.logFormat(), options.snapshotMethod()),
                cpu, options.timeout(), false, results, new PrintStream(progress, true, StandardCharsets.UTF_8));
        BulkInsertWorkload insert = new BulkInsertWorkload(ROWS);

        Instant started = Instant.now();
        for (ReplicationKind kind : options.kinds()) {
            runner.run(insert, kind);
        }

        String log = progress.toString(StandardCharsets.UTF_8);
        assertEquals(List.of(ReplicationKind.NATIVE, ReplicationKind.REPLOG, ReplicationKind.TRANSACTIONAL), options.kinds());
        for (ReplicationKind kind : options.kinds()) {
            Figure rate = results.find("insert", BulkInsertWorkload.RATE, kind).orElseThrow();
            assertTrue(rate.ok() && rate.value() > 0, rate + "\n" + log);
            assertTrue(log.contains("[insert/" + kind.label() + "] content check: follower equals leader"), log);
            assertTrue(results.cpu("insert", "bulk insert", kind).isPresent(), kind + " has no CPU figure\n" + log);
        }

        BenchReport report = new BenchReport(options, new MachineInfo(2, 1L << 30, "test CPU", "Linux", "OpenJDK 17",
                "PostgreSQL", "Kafka"), "not run", List.of(insert), results, started, Instant.now());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        report.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
        String table = printed.toString(StandardCharsets.UTF_8);
        String header = table.lines().filter(l -> l.contains("replog row")).findFirst().orElseThrow(() -> new AssertionError(table));
        assertTrue(header.contains("native") && header.contains("replog tx") && header.contains("tx/row"), table);
        // The insert's line: three rates (no FAIL) and three ratios.
        String rates = table.lines().filter(l -> l.contains("bulk insert, end to end")).findFirst().orElseThrow();
        assertEquals(3, rates.chars().filter(c -> c == '×').count(), table);
        assertTrue(!rates.contains("FAIL") && !rates.contains("—"), table);
        assertTrue(table.lines().anyMatch(l -> l.contains("bulk insert: machine CPU (µs/row)") && !l.contains("—")), table);
        assertTrue(table.contains("Transactional/row throughput (target ≥ 0.8×): bulk insert, end to end"), table);

        Path file = dir.resolve("result.json");
        report.writeJson(file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        JsonNode figure = json.get("figures").get(0);
        assertEquals("insert.rows_per_s", figure.get("metric").asText());
        for (String key : List.of("native", "replog", "transactional")) {
            assertTrue(figure.get(key).get("value").asDouble() > 0, figure.toString());
        }
        assertTrue(figure.get("ratio").isNumber() && figure.get("transactionalRatio").isNumber()
                && figure.get("transactionalToRow").isNumber(), figure.toString());
        assertEquals(List.of("row", "transactional"),
                List.of(json.get("options").get("applyModes").get(0).asText(), json.get("options").get("applyModes").get(1).asText()));
        assertEquals("insert.rows_per_s", json.get("transactionalToRowThroughput").get(0).get("metric").asText());
        assertTrue(json.get("peakResidentMemory").findValuesAsText("system").containsAll(List.of("replog", "transactional")),
                json.get("peakResidentMemory").toString());
    }
}
