package dev.replog.bench;

import dev.replog.schemas.TableId;

import java.time.Duration;
import java.util.List;

/**
 * Workload 4: pgbench's TPC-B-like transaction (scale 10, 4 clients) on the leader, first
 * unthrottled, then at a fixed rate. The pgbench tables are copied to the follower by the initial
 * snapshot first (not measured). Figures: the leader's tps, the commit-to-visible lag of the
 * {@link LagProbe}'s markers committed while pgbench runs, and how long after pgbench stopped the
 * follower's pgbench tables equal the leader's. The last one tells whether the follower kept up:
 * the markers alone cannot, since with several topics Replog's row mode applies each table's
 * partitions at its own pace, so the marker table may be ahead of the pgbench tables.
 */
final class PgbenchWorkload implements Workload {

    static final Metric TPS = Metric.tps("pgbench.tps", "pgbench unthrottled: leader tps");
    static final Metric P50 = Metric.millis("pgbench.lag.p50", "pgbench unthrottled: lag p50");
    static final Metric P99 = Metric.millis("pgbench.lag.p99", "pgbench unthrottled: lag p99");
    static final Metric MAX = Metric.millis("pgbench.lag.max", "pgbench unthrottled: lag max");
    static final Metric CATCH_UP = Metric.seconds("pgbench.catchup", "pgbench unthrottled: follower equal after leader stopped");
    /** Cheap stand-in for a full comparison while polling: every balance and every history row counted. */
    private static final String FINGERPRINT = "SELECT hashtext(concat_ws(',', (SELECT sum(abalance) FROM pgbench_accounts), "
            + "(SELECT sum(tbalance) FROM pgbench_tellers), (SELECT sum(bbalance) FROM pgbench_branches), "
            + "(SELECT count(*) FROM pgbench_history)))";
    private static final List<TableId> TABLES = List.of(new TableId("public", "pgbench_accounts"),
            new TableId("public", "pgbench_branches"), new TableId("public", "pgbench_tellers"),
            new TableId("public", "pgbench_history"));

    private final TpcbDriver driver;
    private final int scale;
    private final int clients;
    private final Duration duration;
    private final int rate;

    PgbenchWorkload(TpcbDriver driver, int scale, int clients, Duration duration, int rate) {
        this.driver = driver;
        this.scale = scale;
        this.clients = clients;
        this.duration = duration;
        this.rate = rate;
    }

    /** The rate-limited run's metrics: same measures, their own rows. */
    Metric[] rated() {
        String run = "pgbench at " + rate + " tps: ";
        return new Metric[] {Metric.tps("pgbench.rated.tps", run + "leader tps"), Metric.millis("pgbench.rated.lag.p50", run + "lag p50"),
            Metric.millis("pgbench.rated.lag.p99", run + "lag p99"), Metric.millis("pgbench.rated.lag.max", run + "lag max"),
            Metric.seconds("pgbench.rated.catchup", run + "follower equal after leader stopped")};
    }

    @Override
    public String name() {
        return "pgbench";
    }

    @Override
    public String title() {
        return "4. pgbench TPC-B-like, scale " + scale + ", " + clients + " clients, " + duration.toSeconds() + " s per run";
    }

    @Override
    public List<Metric> metrics() {
        Metric[] r = rated();
        return List.of(TPS, P50, P99, MAX, CATCH_UP, r[0], r[1], r[2], r[3], r[4]);
    }

    @Override
    public List<TableId> tables() {
        return TABLES;
    }

    @Override
    public void prepareLeader(BenchDatabase leader) throws Exception {
        driver.initialize(leader, scale);
    }

    @Override
    public void prepareFollower(BenchDatabase follower) throws Exception {
        driver.createSchema(follower, scale);
    }

    @Override
    public void measure(WorkloadRun run) throws Exception {
        run.awaitLive();
        run.awaitRowCount(TABLES.get(0), 100_000L * scale);
        // Start both runs from a follower equal to the leader, so the lag is that of the run alone.
        run.verify();
        runOnce(run, "unthrottled", 0, new Metric[] {TPS, P50, P99, MAX, CATCH_UP}, 1_000_000L);
        runOnce(run, rate + " tps", rate, rated(), 2_000_000L);
    }

    private void runOnce(WorkloadRun run, String label, int limit, Metric[] metrics, long firstMarker) throws Exception {
        run.progress("pgbench %s for %d s ...", label, duration.toSeconds());
        double tps;
        double catchUp;
        LagSeries series;
        try (LagProbe probe = LagProbe.start(run.leader(), run.follower(), firstMarker)) {
            run.startCpu();
            tps = driver.run(run.leader(), clients, duration, limit);
            long stopped = System.nanoTime();
            probe.stopWriting();
            long leaderState = run.leader().queryLong(FINGERPRINT);
            run.progress("leader ran %.0f tps; waiting for the follower's pgbench tables to equal the leader's ...", tps);
            catchUp = (run.awaitMarker("the follower's pgbench tables equal the leader's", FINGERPRINT, leaderState) - stopped) / 1e9;
            run.recordCpu("pgbench " + label, Math.round(tps * duration.toSeconds()), "transaction");
            run.progress("follower equal %.1f s after pgbench stopped; waiting for it to show every lag marker ...", catchUp);
            probe.awaitAll(run.timeout(), run::checkAlive);
            series = probe.series(run.kind(), label);
        }
        run.record(series);
        run.record(metrics[0], tps);
        run.record(metrics[1], series.percentile(50));
        run.record(metrics[2], series.percentile(99));
        run.record(metrics[3], series.max());
        run.record(metrics[4], catchUp);
        String trend = String.format("pgbench %s: %d markers, lag p50 %.1f ms in the first quarter of the run, %.1f ms in the last",
                label, series.samples().size(), series.quarterMedian(false), series.quarterMedian(true));
        run.progress("%s", trend);
        run.note(trend);
        run.verify();
    }
}
