package dev.replog.bench;

import dev.replog.applier.verify.TableComparison;
import dev.replog.schemas.TableId;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * One workload running through one replication: the databases, the clock, and the figures it has
 * measured but that do not count until the follower has been compared with the leader.
 */
final class WorkloadRun implements AutoCloseable {

    private static final Duration MARKER_POLL = Duration.ofMillis(20);
    private static final Duration COUNT_POLL = Duration.ofMillis(250);
    private static final Duration COMPARE_POLL = Duration.ofSeconds(2);

    private final Workload workload;
    private final BenchDatabase leader;
    private final BenchDatabase follower;
    private final Replication replication;
    private final long startedNanos;
    private final Duration timeout;
    private final BenchResults results;
    private final PrintStream out;
    private final Map<Metric, Double> pending = new LinkedHashMap<>();
    private final List<Metric> counted = new ArrayList<>();
    private long liveMarker;
    private final ProcessCpu cpu;
    private ProcessCpu.Snapshot cpuFrom;
    private long cpuFromNanos;
    /**
     * One connection for every poll of the follower: a new connection per poll (50 a second) costs
     * the follower a backend start each time and would tax the slower replication more.
     */
    private Connection poller;

    WorkloadRun(Workload workload, BenchDatabase leader, BenchDatabase follower, Replication replication, long startedNanos,
                Duration timeout, BenchResults results, PrintStream out, ProcessCpu cpu, ProcessCpu.Snapshot cpuAtStart) {
        this.workload = workload;
        this.leader = leader;
        this.follower = follower;
        this.replication = replication;
        this.startedNanos = startedNanos;
        this.timeout = timeout;
        this.results = results;
        this.out = out;
        this.cpu = cpu;
        this.cpuFrom = cpuAtStart;
        this.cpuFromNanos = startedNanos;
    }

    BenchDatabase leader() {
        return leader;
    }

    BenchDatabase follower() {
        return follower;
    }

    ReplicationKind kind() {
        return replication.kind();
    }

    Duration timeout() {
        return timeout;
    }

    /** {@link System#nanoTime()} just before replication was started (before its processes or workers exist). */
    long replicationStartedNanos() {
        return startedNanos;
    }

    void progress(String format, Object... args) {
        out.printf("  [%s/%s] %s%n", workload.name(), kind().label(), String.format(format, args));
    }

    /**
     * Waits until a marker row written on the leader now is on the follower: replication is then
     * running end to end (workers started, consumer group joined), so what follows measures
     * replication and not start-up.
     */
    void awaitLive() throws SQLException {
        long id = --liveMarker;
        leader.execute("INSERT INTO " + quote(LagProbe.TABLE) + " (\"id\") VALUES (" + id + ")");
        awaitMarker("replication is live", "SELECT count(*) FROM " + quote(LagProbe.TABLE) + " WHERE \"id\" = ?", 1, id);
    }

    /**
     * Waits until the follower shows a state: first polls {@code markerSql} (cheap, with
     * {@code params}) often, which bounds the timing error, until it returns {@code markerValue};
     * then {@code countSql} (no parameters) until it returns {@code countValue}. Both queries return
     * one number. Returns the {@link System#nanoTime()} at which the full condition held.
     */
    long awaitFollower(String what, String markerSql, long markerValue, String countSql, long countValue, Object... params) {
        long seen = awaitMarker(what, markerSql, markerValue, params);
        // Usually the count is right as soon as the marker is: the marker is the last row, applied
        // after the rest. With several partitions it may not be, and then the count decides.
        boolean[] first = {true};
        boolean[] completeAtMarker = {false};
        long full = Poll.until(what + " (full count)", timeout, COUNT_POLL, replication::checkAlive, () -> {
            boolean complete = pollFollower(countSql) == countValue;
            completeAtMarker[0] = complete && first[0];
            first[0] = false;
            return complete;
        });
        return completeAtMarker[0] ? seen : full;
    }

    /** Polls the follower until {@code markerSql} returns {@code markerValue}; the {@link System#nanoTime()} of that poll. */
    long awaitMarker(String what, String markerSql, long markerValue, Object... params) {
        return Poll.until(what, timeout, MARKER_POLL, replication::checkAlive,
                () -> pollFollower(markerSql, params) == markerValue);
    }

    /** Waits until the follower's {@code table} has exactly {@code rows} rows (e.g. a preload copied by the snapshot). */
    void awaitRowCount(TableId table, long rows) {
        Poll.until(rows + " rows in " + table + " on the follower", timeout, COUNT_POLL, replication::checkAlive,
                () -> pollFollower("SELECT count(*) FROM " + quote(table)) == rows);
    }

    void checkAlive() {
        replication.checkAlive();
    }

    /** Starts counting CPU time for the next phase; until called, a run counts from just before replication started. */
    void startCpu() {
        cpuFrom = cpu.snapshot();
        cpuFromNanos = System.nanoTime();
    }

    /** Records the CPU time every process used since {@link #startCpu()}, for {@code units} of {@code unit} ("row", "transaction"). */
    void recordCpu(String phase, long units, String unit) {
        ProcessCpu.Snapshot now = cpu.snapshot();
        CpuFigure figure = CpuFigure.of(workload.name(), kind(), phase, Poll.secondsSince(cpuFromNanos, System.nanoTime()),
                now.minus(cpuFrom), units, unit);
        results.add(figure);
        progress("CPU during %s: %.0f%% of the machine busy, %.0f µs per %s", phase, 100 * figure.busyShare(),
                figure.busyMicrosPerUnit(), unit);
    }

    /** A figure measured, to be counted once {@link #verify()} has compared leader and follower. */
    void record(Metric metric, double value) {
        pending.put(metric, value);
    }

    void record(LagSeries series) {
        results.add(series);
    }

    void note(String note) {
        results.note(workload.name() + "/" + kind().label() + ": " + note);
    }

    /**
     * Compares every table of the workload (and the probe table) on leader and follower, polling
     * until they match because the follower converges table by table; after the deadline the
     * figures measured since the last check are reported as FAIL.
     */
    void verify() {
        List<TableId> tables = new ArrayList<>(workload.tables());
        tables.add(new TableId("public", LagProbe.TABLE));
        String[] last = {"not compared"};
        boolean matched;
        try {
            Poll.until("the follower equals the leader", timeout, COMPARE_POLL, replication::checkAlive, () -> {
                last[0] = mismatch(tables);
                return last[0] == null;
            });
            matched = true;
        } catch (BenchFailure e) {
            matched = false;
            last[0] = last[0] + " (" + e.getMessage() + ")";
        }
        for (Map.Entry<Metric, Double> figure : pending.entrySet()) {
            results.add(matched ? Figure.of(workload.name(), figure.getKey(), kind(), figure.getValue())
                    : Figure.failed(workload.name(), figure.getKey(), kind(), "follower differs: " + last[0]));
            counted.add(figure.getKey());
        }
        pending.clear();
        progress(matched ? "content check: follower equals leader (%d tables)" : "content check FAILED: %s",
                matched ? tables.size() : last[0]);
    }

    /** Reports every metric not yet counted as FAIL, e.g. after the workload threw. */
    void failRemaining(String why) {
        for (Metric metric : workload.metrics()) {
            if (!counted.contains(metric)) {
                results.add(Figure.failed(workload.name(), metric, kind(), why));
                counted.add(metric);
            }
        }
        pending.clear();
    }

    private String mismatch(List<TableId> tables) throws SQLException {
        try (Connection l = leader.connect(); Connection f = follower.connect()) {
            for (TableId table : tables) {
                TableComparison cmp = TableComparison.compare(l, f, table);
                // Replog creates a follower table with its first row: an empty leader table it has
                // not created yet has the same content as the follower, none. (Asked of the
                // databases, not read from the comparison's wording, which has changed before.)
                if (!cmp.matches() && !(absent(f, table) && queryLong(l, "SELECT count(*) FROM " + quote(table)) == 0)) {
                    return cmp.describe();
                }
            }
        }
        return null;
    }

    private static boolean absent(Connection c, TableId table) throws SQLException {
        return queryLong(c, "SELECT count(*) FROM pg_class WHERE oid = to_regclass(?)", quote(table)) == 0;
    }

    private long pollFollower(String sql, Object... params) throws SQLException {
        if (poller == null || poller.isClosed()) {
            poller = follower.connect();
        }
        try {
            return queryLong(poller, sql, params);
        } catch (SQLException e) {
            // A missing table (not created on the follower yet) leaves the connection usable; a broken one is replaced.
            if (e.getSQLState() == null || e.getSQLState().startsWith("08")) {
                closePoller();
            }
            throw e;
        }
    }

    /** Closes the polling connection (the databases are dropped next). */
    @Override
    public void close() {
        closePoller();
    }

    private void closePoller() {
        try {
            if (poller != null) {
                poller.close();
            }
        } catch (SQLException ignored) {
            // Closing a broken connection: nothing left to release.
        } finally {
            poller = null;
        }
    }

    /** Runs one statement with bound parameters on an open connection, returning the update count. */
    static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = BenchDatabase.prepare(c, sql, params)) {
            return ps.executeUpdate();
        }
    }

    static long queryLong(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = BenchDatabase.prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
