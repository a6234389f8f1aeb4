package dev.replog.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What one bench run does, as given on the command line.
 *
 * @param childJavaOptions extra options of the capture and applier JVMs (e.g. a garbage collector or JIT setting)
 * @param replogMainClass the class the capture and applier child JVMs run ({@code replog capture|apply})
 * @param commandLine the exact command, recorded in the results
 */
record BenchOptions(long rows, long updates, Duration pgbenchDuration, int pgbenchRate, int pgbenchScale,
                    int pgbenchClients, Set<String> only, int partitions, String childHeap, List<String> childJavaOptions, boolean profile,
                    String pgbench, Path outputDir, Duration timeout, String replogMainClass, String commandLine) {

    static final List<String> WORKLOADS = List.of("insert", "snapshot", "update", "pgbench", "soak", "serve", "verify", "rebuild");

    boolean selected(String workload) {
        return only.isEmpty() || only.contains(workload);
    }
}
