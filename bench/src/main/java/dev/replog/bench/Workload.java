package dev.replog.bench;

import dev.replog.schemas.TableId;

import java.util.List;

/**
 * One workload, run once through each kind of replication, each time on fresh leader and follower
 * databases: the runner prepares the leader, starts replication, calls {@link #measure}, and
 * compares leader and follower before any figure counts.
 */
interface Workload {

    /** The name {@code --only} selects it by. */
    String name();

    /** What a reader of the table sees. */
    String title();

    /** The metrics it measures, so a failed run can report every one of them as FAIL. */
    List<Metric> metrics();

    /** The tables it writes; all are replicated and compared. */
    List<TableId> tables();

    /** Creates its tables on the leader, with any rows that must exist before replication starts. */
    void prepareLeader(BenchDatabase leader) throws Exception;

    /** Creates its empty tables on the follower (native replication needs them; Replog creates its own). */
    void prepareFollower(BenchDatabase follower) throws Exception;

    /** Runs against a started replication and records figures through {@code run}. */
    void measure(WorkloadRun run) throws Exception;
}
