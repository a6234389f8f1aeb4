package dev.replog.bench;

import dev.replog.embedded.KafkaBrokerProcess;
import dev.replog.embedded.PostgresServer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code replog bench}: starts a leader and a follower PostgreSQL and a Kafka broker on loopback,
 * runs each selected workload through native logical replication and then through Replog, and
 * writes the side-by-side table, a JSON file and a PNG chart.
 */
public final class Benchmark {

    static final String BROKER = "child JVM (KafkaBrokerProcess, -Xmx512m), single KRaft node";

    private final BenchOptions options;
    private final PrintStream out;

    Benchmark(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs the bench; true if every figure was measured and every content check matched. */
    boolean run() throws IOException, SQLException {
        Instant startedAt = Instant.now();
        String stamp = ResultFile.stamp(startedAt);
        Path outputDir = Files.createDirectories(options.outputDir());
        Path workDir = Files.createDirectories(outputDir.resolve(stamp + "-logs"));
        TpcbDriver tpcb = options.selected("pgbench")
                ? new PgbenchLocator(Path.of(System.getProperty("user.home"), ".cache", "replog", "pgbench"), out)
                        .locate(options.pgbench())
                : null;
        if (tpcb != null) {
            out.println("TPC-B driver: " + tpcb.description());
        }
        BenchResults results = new BenchResults();
        // The machine may be shared: the load says how much of it the bench had.
        results.note("load average at start: " + loadAverage());
        MachineInfo machine;
        List<Workload> workloads = workloads(tpcb);
        // A short path: PostgreSQL's socket path must stay under ~100 bytes.
        Path serverDir = Files.createTempDirectory("replog-bench-");
        out.println("Starting leader and follower PostgreSQL and a Kafka broker (" + BROKER + ") ...");
        try (PostgresServer leader = PostgresServer.start("leader", serverDir);
             PostgresServer follower = PostgresServer.start("follower", serverDir);
             KafkaBrokerProcess broker = KafkaBrokerProcess.start(serverDir)) {
            machine = MachineInfo.describe(postgresVersion(leader));
            out.println("Machine: " + machine.summary());
            ReplogPipeline.Launch launch = new ReplogPipeline.Launch(options.replogMainClass(), options.childHeap(), options.childJavaOptions(), workDir,
                    broker.bootstrapServers(), options.partitions(), options.logFormat(), options.snapshotMethod());
            Map<String, Long> processes = new LinkedHashMap<>();
            processes.put("leader PostgreSQL", leader.pid());
            processes.put("follower PostgreSQL", follower.pid());
            processes.put("kafka broker", broker.pid());
            // The bench's own JVM: the workload's loader, lag probe and pgbench (its child).
            processes.put("bench driver", ProcessHandle.current().pid());
            WorkloadRunner runner = new WorkloadRunner(leader, follower, launch, ProcessCpu.of(processes), options.timeout(),
                    options.profile(), results, out);
            for (Workload workload : workloads) {
                out.println(workload.title());
                for (ReplicationKind kind : options.kinds()) {
                    runner.run(workload, kind);
                }
            }
            OptionalLong brokerPeak = PeakMemory.of(broker.pid());
            brokerPeak.ifPresent(bytes -> results.add(new MemoryFigure("the whole run", null, "kafka broker", bytes)));
            results.note("load average at end: " + loadAverage());
        } finally {
            deleteQuietly(serverDir);
        }
        BenchReport report = new BenchReport(options, machine, tpcb == null ? "not run" : tpcb.description(), workloads,
                results, startedAt, Instant.now());
        report.print(out);
        Path json = outputDir.resolve(stamp + ".json");
        Path png = outputDir.resolve(stamp + ".png");
        report.writeJson(json);
        BenchChart.write(results, machine.summary(), png);
        out.println("Results: " + json + "  chart: " + png + "  process logs: " + workDir);
        return results.figures().stream().allMatch(Figure::ok);
    }

    private List<Workload> workloads(TpcbDriver tpcb) {
        List<Workload> all = new ArrayList<>();
        if (options.selected("insert")) {
            all.add(new BulkInsertWorkload(options.rows()));
        }
        if (options.selected("snapshot")) {
            all.add(new SnapshotWorkload(options.rows()));
        }
        if (options.selected("update")) {
            all.add(new UpdateDeleteWorkload(options.updates()));
        }
        if (tpcb != null) {
            all.add(new PgbenchWorkload(tpcb, options.pgbenchScale(), options.pgbenchClients(), options.pgbenchDuration(),
                    options.pgbenchRate()));
        }
        return all;
    }

    private static String postgresVersion(PostgresServer server) throws SQLException {
        return new BenchDatabase(server, server.database()).queryString("SELECT version()");
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Only an empty temporary directory is left by then; the servers removed their own.
        }
    }
}
