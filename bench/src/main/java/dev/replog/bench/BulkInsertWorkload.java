package dev.replog.bench;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.util.List;

/**
 * Workload 1: N rows inserted on the leader in transactions of 1,000 rows, as fast as one
 * connection can; the figure is end-to-end rows/s from the first insert until the follower has
 * every row.
 */
final class BulkInsertWorkload implements Workload {

    static final Metric RATE = Metric.rate("insert.rows_per_s", "bulk insert, end to end");
    static final int TRANSACTION_ROWS = 1_000;
    private static final TableId TABLE = new TableId("public", "bench_insert");

    private final long rows;

    BulkInsertWorkload(long rows) {
        this.rows = rows;
    }

    @Override
    public String name() {
        return "insert";
    }

    @Override
    public String title() {
        return "1. bulk insert of " + rows + " rows, 1,000-row transactions";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(RATE);
    }

    @Override
    public List<TableId> tables() {
        return List.of(TABLE);
    }

    @Override
    public void prepareLeader(BenchDatabase leader) throws Exception {
        leader.execute(BenchTables.create(TABLE));
    }

    @Override
    public void prepareFollower(BenchDatabase follower) throws Exception {
        follower.execute(BenchTables.create(TABLE));
    }

    @Override
    public void measure(WorkloadRun run) throws Exception {
        run.awaitLive();
        run.progress("inserting %,d rows ...", rows);
        run.startCpu();
        long start = System.nanoTime();
        try (Connection c = run.leader().connect()) {
            c.setAutoCommit(false);
            for (long first = 1; first <= rows; first += TRANSACTION_ROWS) {
                WorkloadRun.update(c, BenchTables.insertRange(TABLE), first, Math.min(rows, first + TRANSACTION_ROWS - 1));
                c.commit();
                if (first % 100_000 == 1) {
                    run.checkAlive();
                }
            }
        }
        double leaderSeconds = Poll.secondsSince(start, System.nanoTime());
        run.progress("leader done in %.1f s (%,.0f rows/s); waiting for the follower ...", leaderSeconds, rows / leaderSeconds);
        run.note(String.format("leader alone inserted at %.0f rows/s", rows / leaderSeconds));
        long done = run.awaitFollower("the follower has all " + rows + " rows", BenchTables.exists(TABLE), 1,
                BenchTables.count(TABLE), rows, rows);
        run.recordCpu("bulk insert", rows, "row");
        double seconds = Poll.secondsSince(start, done);
        run.progress("follower complete after %.1f s: %,.0f rows/s end to end", seconds, rows / seconds);
        run.record(RATE, rows / seconds);
        run.verify();
    }
}
