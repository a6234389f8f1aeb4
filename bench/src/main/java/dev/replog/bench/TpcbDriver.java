package dev.replog.bench;

import java.time.Duration;

/**
 * Something that runs pgbench's TPC-B-like workload: PostgreSQL's own pgbench binary, or, where
 * none can be found or fetched, a Java driver of the same five statements.
 */
interface TpcbDriver {

    /** Where it comes from, for the output and the JSON (e.g. "pgbench 15.18 at /usr/lib/..."). */
    String description();

    /** Creates and fills pgbench's four tables at {@code scale} on the leader, with primary keys. */
    void initialize(BenchDatabase leader, int scale) throws Exception;

    /** Creates the four tables, empty, with primary keys (the follower of native replication needs them). */
    void createSchema(BenchDatabase follower, int scale) throws Exception;

    /** Runs {@code clients} clients for {@code duration}, at most {@code rate} tps if it is positive; returns leader tps. */
    double run(BenchDatabase leader, int clients, Duration duration, int rate) throws Exception;

    /**
     * Gives pgbench_history the primary key it lacks (Replog keys every change by primary key):
     * a bigserial column pgbench's INSERT leaves to its default.
     */
    static void addHistoryKey(BenchDatabase db) throws Exception {
        db.execute("ALTER TABLE \"pgbench_history\" ADD COLUMN \"hid\" bigserial PRIMARY KEY");
    }
}
