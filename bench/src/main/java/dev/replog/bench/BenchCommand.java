package dev.replog.bench;

import dev.replog.bench.rebuild.RebuildBench;
import dev.replog.bench.serve.ServeBench;
import dev.replog.bench.serve.ServeBenchOptions;
import dev.replog.bench.soak.SoakBench;
import dev.replog.bench.soak.SoakOptions;
import dev.replog.bench.verify.VerifyBench;
import dev.replog.schemas.LogFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code replog bench}: Replog against PostgreSQL's native logical replication, on this machine. */
@Command(name = "bench", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run the same workloads through PostgreSQL's native logical replication and through Replog "
                + "(capture and applier as child JVMs, a child-JVM Kafka broker) in each --apply-mode, on embedded servers on 127.0.0.1, "
                + "and print them side by side with the ratios to native and transactional/row. Writes <out>/<timestamp>.json and .png.",
            "Workloads: insert (N rows in 1,000-row transactions), snapshot (initial copy of an N-row table), "
                + "update (U updates then U deletes), pgbench (TPC-B-like, unthrottled and rate-limited, with lag). "
                + "The full default run (both apply modes) takes about an hour on 2 cores, most of it waiting for Replog; "
                + "--apply-mode row about 30 minutes.",
            "Not in the default run, Replog alone: soak (a long load with faults), serve (read replicas: lookups/s and latency, "
                + "commit-to-servable lag, memory, against the issue's targets; about 3 minutes), verify (replog verify on a table of "
                + "--rows rows in two databases, then finding and repairing --verify-corrupt corrupted rows), rebuild (rows/s of `replog follower "
                + "rebuild` from a log of --rows snapshotted and a tenth updated rows, in both apply modes). Exit code 1 if a workload failed; "
                + "a serve target missed is printed MISSED and does not change it."},
        footer = {"Lag: a probe commits a marker row on the leader every 100 ms and polls the follower every 2 ms;",
            "lag = first seen on the follower minus the leader's commit returning.",
            "pgbench: found in /usr/lib/postgresql/*/bin or PATH, else fetched with apt-get download into",
            "~/.cache/replog/pgbench, else a Java driver of the same five statements is used (said in the output)."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--rows", defaultValue = "1000000", description = "Rows of the insert and snapshot workloads (default: ${DEFAULT-VALUE}).")
    long rows;

    @Option(names = "--updates", defaultValue = "200000", description = "Rows updated, then deleted (default: ${DEFAULT-VALUE}).")
    long updates;

    @Option(names = "--pgbench-seconds", defaultValue = "60", description = "Length of each pgbench run (default: ${DEFAULT-VALUE}).")
    int pgbenchSeconds;

    @Option(names = "--pgbench-rate", defaultValue = "500", description = "Rate of the rate-limited pgbench run, tps (default: ${DEFAULT-VALUE}).")
    int pgbenchRate;

    @Option(names = "--pgbench-scale", defaultValue = "10", description = "pgbench scale factor (default: ${DEFAULT-VALUE}).")
    int pgbenchScale;

    @Option(names = "--pgbench-clients", defaultValue = "4", description = "pgbench clients (default: ${DEFAULT-VALUE}).")
    int pgbenchClients;

    @Option(names = "--pgbench", defaultValue = "auto", paramLabel = "auto|java|PATH",
            description = "Which TPC-B driver: find or fetch pgbench (auto), the Java driver (java), or this pgbench executable.")
    String pgbench;

    @Option(names = "--only", split = ",", paramLabel = "WORKLOAD",
            description = "Run only these workloads, comma-separated: insert, snapshot, update, pgbench, soak, serve, verify, rebuild (soak, serve, verify and rebuild: not in the default run).")
    List<String> only = List.of();

    @Option(names = "--soak-rows", defaultValue = "500000", description = "soak: rows snapshotted before the load (default: ${DEFAULT-VALUE}).")
    long soakRows;

    @Option(names = "--soak-seconds", defaultValue = "300", description = "soak: seconds of load (default: ${DEFAULT-VALUE}).")
    long soakSeconds;

    @Option(names = "--soak-clients", defaultValue = "4", description = "soak: concurrent leader clients (default: ${DEFAULT-VALUE}).")
    int soakClients;

    @Option(names = "--soak-tps", defaultValue = "50", description = "soak: transactions a second per client at most (default: ${DEFAULT-VALUE}).")
    int soakTps;

    @Option(names = "--serve-rows", defaultValue = "100000", description = "serve: rows of the served table (default: ${DEFAULT-VALUE}).")
    long serveRows;

    @Option(names = "--serve-clients", defaultValue = "8", description = "serve: concurrent lookup clients (default: ${DEFAULT-VALUE}).")
    int serveClients;

    @Option(names = "--serve-seconds", defaultValue = "20", description = "serve: seconds of each measured phase (default: ${DEFAULT-VALUE}).")
    int serveSeconds;

    @Option(names = "--serve-tps", defaultValue = "500", description = "serve: leader update transactions a second in the lag phase (default: ${DEFAULT-VALUE}).")
    int serveTps;

    @Option(names = "--serve-sample-every", defaultValue = "10", description = "serve: watch every N-th leader write for its lag (default: ${DEFAULT-VALUE}); each watched write is polled every 2 ms, which loads the machine too.")
    int serveSampleEvery;

    @Option(names = "--verify-corrupt", defaultValue = "300", description = "verify: rows corrupted on the follower before the repair run (default: ${DEFAULT-VALUE}).")
    int verifyCorrupt;

    @Option(names = "--apply-mode", defaultValue = "both", paramLabel = "row|transactional|both",
            description = "Replog's apply.mode: every workload runs through Replog once per mode, each on a fresh follower, "
                    + "beside native (default: ${DEFAULT-VALUE}; the issue's targets are for both modes).")
    String applyMode;

    @Option(names = "--log-format", defaultValue = "json", paramLabel = "json|compact",
            description = "Replog's log.format: how capture writes the log (default: ${DEFAULT-VALUE}; schemas/README.md, \"Compact format\").")
    String logFormat;

    @Option(names = "--snapshot-method", defaultValue = "debezium", paramLabel = "debezium|copy",
            description = "Replog's capture.snapshot.method: Debezium's JDBC snapshot, or COPY at the slot's exported snapshot "
                    + "(default: ${DEFAULT-VALUE}).")
    String snapshotMethod;

    @Option(names = "--partitions", defaultValue = "1", description = "topics.partitions for Replog (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--child-heap", defaultValue = "256m", description = "-Xmx of the capture, applier and serve JVMs (default: ${DEFAULT-VALUE}).")
    String childHeap;

    @Option(names = "--child-java-option", paramLabel = "OPTION",
            description = "An extra option of the capture and applier JVMs, e.g. --child-java-option=-XX:TieredStopAtLevel=1 (repeatable).")
    List<String> childJavaOptions = new ArrayList<>();

    @Option(names = "--profile", description = "Record a JFR profile of capture and applier in each workload (<out>/<timestamp>-logs/<workload>-<process>.jfr).")
    boolean profile;

    @Option(names = "--out", defaultValue = "bench-results", description = "Directory for the results (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--timeout", defaultValue = "3600", description = "Seconds to wait for a follower to catch up before FAIL (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Spec
    CommandSpec spec;

    private final String replogMainClass;

    /** @param replogMainClass the main class of the replog command, which the capture and applier child JVMs run */
    public BenchCommand(String replogMainClass) {
        this.replogMainClass = replogMainClass;
    }

    @Override
    public Integer call() throws Exception {
        Set<String> workloads = new LinkedHashSet<>(only);
        for (String w : workloads) {
            if (!BenchOptions.WORKLOADS.contains(w)) {
                throw new ParameterException(spec.commandLine(), "unknown workload '" + w + "' for --only; one of " + BenchOptions.WORKLOADS);
            }
        }
        if (!List.of("debezium", "copy").contains(snapshotMethod)) {
            throw new ParameterException(spec.commandLine(), "--snapshot-method is debezium or copy, not '" + snapshotMethod + "'");
        }
        if (rows < 1 || updates < 1 || verifyCorrupt < 3 || pgbenchSeconds < 1 || pgbenchRate < 1 || pgbenchScale < 1 || pgbenchClients < 1 || partitions < 1) {
            throw new ParameterException(spec.commandLine(), "counts, seconds, rate, scale, clients and partitions must be positive, --verify-corrupt at least 3");
        }
        if (serveRows < 1 || serveClients < 1 || serveSeconds < 1 || serveSampleEvery < 1 || serveTps < serveSampleEvery) {
            throw new ParameterException(spec.commandLine(), "--serve-rows, --serve-clients, --serve-seconds and --serve-sample-every must be "
                    + "positive, --serve-tps at least --serve-sample-every");
        }
        List<ReplicationKind> replogModes;
        try {
            replogModes = ReplicationKind.replogModes(applyMode);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--apply-mode: " + e.getMessage());
        }
        LogFormat format;
        try {
            format = LogFormat.parse(logFormat);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--log-format: '" + logFormat + "' is not one of json, compact");
        }
        boolean alonePassed = true;
        if (workloads.remove("soak")) {
            // Not a comparison with native replication: a load test of Replog alone (see README, Memory).
            alonePassed = SoakBench.run(new SoakOptions(soakRows, Duration.ofSeconds(soakSeconds), soakClients, soakTps, 3,
                    childHeap, Duration.ofSeconds(90), Duration.ofSeconds(60), Duration.ofSeconds(Math.max(300, soakSeconds)),
                    replogMainClass, null, format), out, System.out);
        }
        if (workloads.remove("serve")) {
            // Replog alone too: read replicas (docs/serve.md) against the targets.
            alonePassed &= ServeBench.run(ServeBenchOptions.of(serveRows, serveClients, Duration.ofSeconds(serveSeconds), serveTps,
                    serveSampleEvery, childHeap, replogMainClass), out, System.out);
        }
        if (workloads.remove("verify")) {
            // Replog alone: the comparison's own cost on two databases (docs/verify.md).
            alonePassed &= VerifyBench.run(rows, verifyCorrupt, out, System.out);
        }
        if (workloads.remove("rebuild")) {
            // Replog alone: a follower built from the log (docs/rebuild.md), --rows rows.
            alonePassed &= RebuildBench.run(rows, partitions, childHeap, replogMainClass, out, System.out);
        }
        if (!only.isEmpty() && workloads.isEmpty()) {
            return alonePassed ? 0 : 1;
        }
        BenchOptions options = new BenchOptions(rows, updates, Duration.ofSeconds(pgbenchSeconds), pgbenchRate, pgbenchScale,
                pgbenchClients, Set.copyOf(workloads), partitions, childHeap, List.copyOf(childJavaOptions), profile, pgbench, out,
                Duration.ofSeconds(timeoutSeconds), replogMainClass, replogModes, commandLine(), format, snapshotMethod);
        return new Benchmark(options, System.out).run() && alonePassed ? 0 : 1;
    }

    /** The command as typed, e.g. {@code java -jar cli/target/replog.jar bench --rows 1000}. */
    private String commandLine() {
        String jar = System.getProperty("java.class.path");
        StringBuilder sb = new StringBuilder(jar.endsWith(".jar") && !jar.contains(File.pathSeparator)
                ? "java -jar " + jar : "replog");
        for (String arg : spec.commandLine().getParseResult().originalArgs()) {
            sb.append(' ').append(arg);
        }
        return sb.toString();
    }
}
