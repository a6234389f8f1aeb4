package dev.replog.bench;

import dev.replog.schemas.LogFormat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What one bench run does, as given on the command line.
 *
 * @param childJavaOptions extra options of the capture and applier JVMs (e.g. a garbage collector or JIT setting)
 * @param replogMainClass the class the capture and applier child JVMs run ({@code replog capture|apply})
 * @param replogModes Replog's apply modes to run, each beside native ({@code --apply-mode})
 * @param commandLine the exact command, recorded in the results
 * @param logFormat the format Replog's capture writes ({@code --log-format}, config key {@code log.format})
 * @param snapshotMethod Replog's capture.snapshot.method ({@code --snapshot-method})
 */
record BenchOptions(long rows, long updates, Duration pgbenchDuration, int pgbenchRate, int pgbenchScale,
                    int pgbenchClients, Set<String> only, int partitions, String childHeap, List<String> childJavaOptions, boolean profile,
                    String pgbench, Path outputDir, Duration timeout, String replogMainClass, List<ReplicationKind> replogModes,
                    String commandLine, LogFormat logFormat, String snapshotMethod) {

    /** In the JSON log format, with Replog's default snapshot method. */
    BenchOptions(long rows, long updates, Duration pgbenchDuration, int pgbenchRate, int pgbenchScale, int pgbenchClients,
                 Set<String> only, int partitions, String childHeap, List<String> childJavaOptions, boolean profile, String pgbench,
                 Path outputDir, Duration timeout, String replogMainClass, List<ReplicationKind> replogModes, String commandLine) {
        this(rows, updates, pgbenchDuration, pgbenchRate, pgbenchScale, pgbenchClients, only, partitions, childHeap, childJavaOptions,
                profile, pgbench, outputDir, timeout, replogMainClass, replogModes, commandLine, LogFormat.JSON, "debezium");
    }

    static final List<String> WORKLOADS = List.of("insert", "snapshot", "update", "pgbench", "soak", "serve", "verify", "rebuild");

    /** What every workload runs through, in order: native first, then each selected apply mode. */
    List<ReplicationKind> kinds() {
        List<ReplicationKind> kinds = new ArrayList<>(List.of(ReplicationKind.NATIVE));
        kinds.addAll(replogModes);
        return kinds;
    }

    boolean selected(String workload) {
        return only.isEmpty() || only.contains(workload);
    }
}
