package dev.replog.bench;

import java.util.List;
import java.util.Map;

/**
 * A running replication from a leader database to a follower database, started by a workload run
 * and closed (slot, subscription or processes removed) when the run ends.
 */
interface Replication extends AutoCloseable {

    ReplicationKind kind();

    /** Throws {@link BenchFailure} if the replication is no longer running (a process died), so waits end early. */
    void checkAlive();

    /** Peak resident memory of the replication's own processes so far; none for native replication. */
    List<MemoryFigure> peakMemory(String workload);

    /** The replication's own processes by name (for their CPU time); none for native replication. */
    Map<String, Long> processes();

    @Override
    void close();
}
