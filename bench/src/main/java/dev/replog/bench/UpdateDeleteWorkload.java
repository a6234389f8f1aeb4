package dev.replog.bench;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.util.List;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * Workload 3: a table of U rows, copied to the follower by the initial snapshot (not measured);
 * then every row is updated, then every row is deleted, in transactions of 1,000 rows. Each phase's
 * figure is end-to-end rows/s from its first statement until the follower shows its last change.
 */
final class UpdateDeleteWorkload implements Workload {

    static final Metric UPDATES = Metric.rate("updates.rows_per_s", "updates, end to end");
    static final Metric DELETES = Metric.rate("deletes.rows_per_s", "deletes, end to end");
    private static final TableId TABLE = new TableId("public", "bench_churn");
    private static final String UPDATED = "updated by replog bench";

    private final long rows;

    UpdateDeleteWorkload(long rows) {
        this.rows = rows;
    }

    @Override
    public String name() {
        return "update";
    }

    @Override
    public String title() {
        return "3. " + rows + " updates, then " + rows + " deletes, 1,000-row transactions";
    }

    @Override
    public List<Metric> metrics() {
        return List.of(UPDATES, DELETES);
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
    }

    @Override
    public void prepareFollower(BenchDatabase follower) throws Exception {
        follower.execute(BenchTables.create(TABLE));
    }

    @Override
    public void measure(WorkloadRun run) throws Exception {
        run.awaitLive();
        run.awaitRowCount(TABLE, rows);
        String table = quote(TABLE);

        run.progress("updating %,d rows ...", rows);
        run.startCpu();
        long start = System.nanoTime();
        inBatches(run, "UPDATE " + table + " SET \"amount\" = \"amount\" + 1, \"note\" = ? WHERE \"id\" BETWEEN ? AND ?", UPDATED);
        long done = run.awaitFollower("the follower has every update",
                "SELECT count(*) FROM " + table + " WHERE \"id\" = ? AND \"note\" = ?", 1,
                "SELECT count(*) FROM " + table + " WHERE \"note\" = " + BenchDatabase.literal(UPDATED), rows, rows, UPDATED);
        report(run, UPDATES, start, done);

        run.progress("deleting %,d rows ...", rows);
        run.startCpu();
        start = System.nanoTime();
        inBatches(run, "DELETE FROM " + table + " WHERE \"id\" BETWEEN ? AND ?");
        done = run.awaitFollower("the follower has every delete", BenchTables.exists(TABLE), 0,
                BenchTables.count(TABLE), 0, rows);
        report(run, DELETES, start, done);
    }

    private void inBatches(WorkloadRun run, String sql, Object... leading) throws Exception {
        try (Connection c = run.leader().connect()) {
            c.setAutoCommit(false);
            for (long first = 1; first <= rows; first += BulkInsertWorkload.TRANSACTION_ROWS) {
                Object[] params = new Object[leading.length + 2];
                System.arraycopy(leading, 0, params, 0, leading.length);
                params[leading.length] = first;
                params[leading.length + 1] = Math.min(rows, first + BulkInsertWorkload.TRANSACTION_ROWS - 1);
                WorkloadRun.update(c, sql, params);
                c.commit();
            }
        }
    }

    private void report(WorkloadRun run, Metric metric, long start, long done) {
        run.recordCpu(metric == UPDATES ? "updates" : "deletes", rows, "row");
        double seconds = Poll.secondsSince(start, done);
        run.progress("%s: follower complete after %.1f s, %,.0f rows/s end to end", metric.label(), seconds, rows / seconds);
        run.record(metric, rows / seconds);
        run.verify();
    }
}
