package dev.replog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchReportTest {

    private static final BenchOptions OPTIONS = new BenchOptions(1000, 500, Duration.ofSeconds(5), 500, 1, 4, Set.of(), 1,
            "384m", List.of(), false, "auto", Path.of("bench-results"), Duration.ofSeconds(60), "Main",
            List.of(ReplicationKind.REPLOG), "java -jar cli/target/replog.jar bench --rows 1000");
    private static final MachineInfo MACHINE = new MachineInfo(2, 24L << 30, "test CPU", "Linux", "OpenJDK 17",
            "PostgreSQL 17.11 on x86_64", "4.3.1");

    private final BulkInsertWorkload insert = new BulkInsertWorkload(1000);
    private final UpdateDeleteWorkload update = new UpdateDeleteWorkload(500);

    private BenchResults results() {
        BenchResults results = new BenchResults();
        results.add(Figure.of("insert", BulkInsertWorkload.RATE, ReplicationKind.NATIVE, 100_000));
        results.add(Figure.of("insert", BulkInsertWorkload.RATE, ReplicationKind.REPLOG, 50_000));
        results.add(Figure.of("update", UpdateDeleteWorkload.UPDATES, ReplicationKind.NATIVE, 80_000));
        results.add(Figure.failed("update", UpdateDeleteWorkload.UPDATES, ReplicationKind.REPLOG, "follower differs"));
        results.add(new MemoryFigure("insert", ReplicationKind.REPLOG, "capture", 300L << 20));
        results.add(new CpuFigure("insert", ReplicationKind.REPLOG, "bulk insert", 10, cpuSeconds(), 19, 20, 1000, "row"));
        results.add(new LagSeries(ReplicationKind.NATIVE, "unthrottled",
                List.of(new LagSeries.Sample(0.1, 1.5), new LagSeries.Sample(0.2, 2.5))));
        results.add(new LagSeries(ReplicationKind.REPLOG, "500 tps",
                List.of(new LagSeries.Sample(0.1, 150), new LagSeries.Sample(0.2, 4000))));
        return results;
    }

    private static Map<String, Double> cpuSeconds() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        seconds.put("leader PostgreSQL", 2.0);
        seconds.put("capture", 9.0);
        seconds.put("applier", 4.5);
        return seconds;
    }

    @Test
    void theCpuTableShowsEachProcessTheRestOfTheMachineAndTheCostPerRow(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report(results()).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        Path file = dir.resolve("result.json");
        report(results()).writeJson(file);
        JsonNode cpu = new ObjectMapper().readTree(file.toFile()).get("cpu").get(0);

        // 19 busy CPU seconds for 1,000 rows: 19,000 µs a row; 19 - (2 + 9 + 4.5) = 3.5 s used by no named process.
        assertTrue(table.lines().anyMatch(l -> l.contains("bulk insert") && l.contains("95%") && l.contains("19000")
                && l.contains("9.0") && l.contains("3.5")), table);
        assertTrue(table.contains("leader PG") && table.contains("capture") && table.contains("other"), table);
        assertEquals(19000, cpu.get("busyMicrosPerUnit").asDouble());
        assertEquals(9.0, cpu.get("cpuSecondsByProcess").get("capture").asDouble());
        assertEquals(3.5, cpu.get("cpuSecondsByProcess").get("other").asDouble());
    }

    private BenchReport report(BenchResults results) {
        return new BenchReport(OPTIONS, MACHINE, "pgbench 15", List.of(insert, update), results,
                Instant.parse("2026-11-22T00:00:00Z"), Instant.parse("2026-11-22T00:10:00Z"));
    }

    @Test
    void theTableShowsBothSystemsTheRatioAndFailInsteadOfAFigure() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report(results()).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);

        assertTrue(table.contains("100,000") && table.contains("50,000") && table.contains("0.50×"), table);
        assertTrue(table.lines().anyMatch(l -> l.contains("updates, end to end") && l.contains("80,000") && l.contains("FAIL")), table);
        assertTrue(table.contains("java -jar cli/target/replog.jar bench --rows 1000"), table);
    }

    @Test
    void theJsonHoldsEveryFigureTheMachineAndTheCommand(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("result.json");
        report(results()).writeJson(file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());

        assertEquals("java -jar cli/target/replog.jar bench --rows 1000", json.get("command").asText());
        assertEquals(2, json.get("machine").get("cores").asInt());
        assertEquals("4.3.1", json.get("machine").get("kafka").asText());
        JsonNode first = json.get("figures").get(0);
        assertEquals("insert.rows_per_s", first.get("metric").asText());
        assertEquals(100_000, first.get("native").get("value").asDouble());
        assertEquals(0.5, first.get("ratio").asDouble());
        JsonNode failed = json.get("figures").get(1);
        assertEquals("follower differs", failed.get("replog").get("fail").asText());
        assertTrue(failed.get("ratio").isNull());
        assertEquals(300L << 20, json.get("peakResidentMemory").get(0).get("peakResidentBytes").asLong());
        assertEquals(4000, json.get("lag").get(1).get("maxMs").asDouble());
        assertNotNull(json.get("tpcbDriver"));
    }

    @Test
    void bothApplyModesStandBesideNativeWithTheirRatiosAndTheTransactionalTarget(@TempDir Path dir) throws Exception {
        BenchOptions options = new BenchOptions(1000, 500, Duration.ofSeconds(5), 500, 1, 4, Set.of(), 1, "256m", List.of(), false,
                "auto", Path.of("bench-results"), Duration.ofSeconds(60), "Main", ReplicationKind.replogModes("both"), "replog bench");
        BenchResults results = new BenchResults();
        results.add(Figure.of("insert", BulkInsertWorkload.RATE, ReplicationKind.NATIVE, 100_000));
        results.add(Figure.of("insert", BulkInsertWorkload.RATE, ReplicationKind.REPLOG, 40_000));
        results.add(Figure.of("insert", BulkInsertWorkload.RATE, ReplicationKind.TRANSACTIONAL, 36_000));
        results.add(Figure.of("update", UpdateDeleteWorkload.UPDATES, ReplicationKind.NATIVE, 80_000));
        results.add(Figure.of("update", UpdateDeleteWorkload.UPDATES, ReplicationKind.REPLOG, 20_000));
        results.add(Figure.of("update", UpdateDeleteWorkload.UPDATES, ReplicationKind.TRANSACTIONAL, 10_000));
        results.add(new CpuFigure("insert", ReplicationKind.NATIVE, "bulk insert", 1, cpuSeconds(), 0.02, 2, 1000, "row"));
        results.add(new CpuFigure("insert", ReplicationKind.REPLOG, "bulk insert", 1, cpuSeconds(), 0.06, 2, 1000, "row"));
        results.add(new CpuFigure("insert", ReplicationKind.TRANSACTIONAL, "bulk insert", 1, cpuSeconds(), 0.09, 2, 1000, "row"));
        results.add(new MemoryFigure("insert", ReplicationKind.REPLOG, "applier", 300L << 20));
        results.add(new MemoryFigure("insert", ReplicationKind.TRANSACTIONAL, "applier", 200L << 20));
        BenchReport report = new BenchReport(options, MACHINE, "pgbench 15", List.of(insert, update), results,
                Instant.parse("2026-11-22T00:00:00Z"), Instant.parse("2026-11-22T00:10:00Z"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);

        assertTrue(table.lines().anyMatch(l -> l.contains("native") && l.contains("replog row") && l.contains("replog tx")
                && l.contains("row/native") && l.contains("tx/native") && l.contains("tx/row")), table);
        // 36,000 / 100,000 = 0.36 of native, 36,000 / 40,000 = 0.90 of row mode.
        assertTrue(table.lines().anyMatch(l -> l.contains("bulk insert, end to end") && l.contains("36,000") && l.contains("0.40×")
                && l.contains("0.36×") && l.contains("0.90×")), table);
        // 20, 60 and 90 µs of machine CPU per row.
        assertTrue(table.lines().anyMatch(l -> l.contains("bulk insert: machine CPU (µs/row)") && l.contains("20") && l.contains("60")
                && l.contains("90") && l.contains("3.00×") && l.contains("4.50×") && l.contains("1.50×")), table);
        assertTrue(table.lines().anyMatch(l -> l.contains("applier during insert") && l.contains("300") && l.contains("200")), table);
        assertTrue(table.contains("bulk insert, end to end 0.90× (met); updates, end to end 0.50× (MISSED)"), table);

        Path file = dir.resolve("both.json");
        report.writeJson(file);
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        JsonNode first = json.get("figures").get(0);
        assertEquals(0.4, first.get("ratio").asDouble(), 1e-9);
        assertEquals(36_000, first.get("transactional").get("value").asDouble());
        assertEquals(0.36, first.get("transactionalRatio").asDouble(), 1e-9);
        assertEquals(0.9, first.get("transactionalToRow").asDouble(), 1e-9);
        JsonNode updates = json.get("transactionalToRowThroughput").get(1);
        assertEquals("updates.rows_per_s", updates.get("metric").asText());
        assertTrue(!updates.get("met").asBoolean());
        assertEquals("transactional", json.get("peakResidentMemory").get(1).get("system").asText());
        // 9 CPU seconds of capture over 1,000 rows: 9,000 µs a row.
        assertEquals(9000, json.get("cpu").get(0).get("microsPerUnitByProcess").get("capture").asDouble());
    }

    @Test
    void theChartIsAPngWithBarsAndLagCurves(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("chart.png");
        BenchChart.write(results(), MACHINE.summary(), file);
        BufferedImage image = ImageIO.read(file.toFile());

        assertEquals(1400, image.getWidth());
        assertEquals(1000, image.getHeight());
        // Somewhere in the bar area there is native's blue.
        boolean blue = false;
        for (int x = 0; x < image.getWidth() && !blue; x += 2) {
            for (int y = 90; y < 470 && !blue; y += 2) {
                blue = (image.getRGB(x, y) & 0xffffff) == 0x3366cc;
            }
        }
        assertTrue(blue, "no native bar drawn");
    }
}
