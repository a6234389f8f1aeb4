package dev.replog.bench;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.util.List;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * Workload 2: an N-row table that exists before replication starts. The figure is seconds from
 * starting replication (native: CREATE SUBSCRIPTION with copy_data; Replog: launching capture and
 * applier, whose capture runs its initial snapshot) until the follower has every row, so it
 * includes each system's start-up.
 */
final class SnapshotWorkload implements Workload {

    static final Metric SECONDS = Metric.seconds("snapshot.seconds", "initial snapshot, until follower has it");
    private static final TableId TABLE = new TableId("public", "bench_snapshot");

    private final long rows;

    SnapshotWorkload(long rows) {
        this.rows = rows;
    }

    @Override
    public String name() {
        return "snapshot";
    }

    @Override
    public String title() {
        return "2. initial snapshot of a " + rows + "-row table";
    }

    long rows() {
        return rows;
    }

    @Override
    public List<Metric> metrics() {
        return List.of(SECONDS);
    }

    @Override
    public List<TableId> tables() {
        return List.of(TABLE);
    }

    @Override
    public void prepareLeader(BenchDatabase leader) throws Exception {
        leader.execute(BenchTables.create(TABLE));
        try (Connection c = leader.connect()) {
            WorkloadRun.update(c, BenchTables.insertRange(TABLE), 1L, rows);
        }
        // As after a bulk load in production: the snapshot reads a vacuumed, analyzed table.
        leader.execute("VACUUM ANALYZE " + quote(TABLE));
    }

    @Override
    public void prepareFollower(BenchDatabase follower) throws Exception {
        follower.execute(BenchTables.create(TABLE));
    }

    @Override
    public void measure(WorkloadRun run) throws Exception {
        run.progress("replication started; waiting for the follower to have %,d rows ...", rows);
        long done = run.awaitFollower("the follower has the snapshot's " + rows + " rows", BenchTables.exists(TABLE), 1,
                BenchTables.count(TABLE), rows, rows);
        run.recordCpu("snapshot", rows, "row");
        double seconds = Poll.secondsSince(run.replicationStartedNanos(), done);
        run.progress("follower complete %.1f s after replication started (%,.0f rows/s)", seconds, rows / seconds);
        run.record(SECONDS, seconds);
        run.verify();
    }
}
