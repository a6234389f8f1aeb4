package dev.replog.applier;

import com.zaxxer.hikari.HikariDataSource;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.applier.state.StoppedTables;
import dev.replog.metrics.Health;
import dev.replog.metrics.ReplogMetric;
import dev.replog.metrics.Sample;
import dev.replog.metrics.ServiceMetrics;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Measures a follower every sample period: its lag per table ({@link ApplyLag}) and its tables
 * stopped at a poison event. It reads only, with a connection of its own, beside the applier and
 * independent of it: a follower whose applier is down or has not started still shows how far behind
 * it falls.
 */
public final class ApplyMonitor implements AutoCloseable {

    private final HikariDataSource pool;
    private final ApplyLag lag;
    private final MultiGauge lagRecords;
    private final MultiGauge lagWalBytes;
    private final MultiGauge lagSeconds;
    private final MultiGauge tableStopped;
    private final Sample sample;
    private volatile Map<String, PoisonEvent> stops = Map.of();

    private ApplyMonitor(ApplierSettings settings, ServiceMetrics metrics) {
        FollowerConnection f = settings.follower();
        this.pool = f.withPoolSize(1).openPool("replog-apply-monitor");
        this.lag = new ApplyLag(settings.kafka(), settings.topics());
        this.lagRecords = ReplogMetric.APPLY_LAG_RECORDS.multiGauge(metrics.registry());
        this.lagWalBytes = ReplogMetric.APPLY_LAG_WAL_BYTES.multiGauge(metrics.registry());
        this.lagSeconds = ReplogMetric.APPLY_LAG_SECONDS.multiGauge(metrics.registry());
        this.tableStopped = ReplogMetric.APPLY_TABLE_STOPPED.multiGauge(metrics.registry());
        ReplogMetric.APPLY_STOPPED_TABLES.gauge(metrics.registry(), this, m -> m.stops.size());
        this.sample = metrics.every("the lag of follower " + f, this::measure);
    }

    /** Connects to the follower (it must be reachable) and measures from now on. */
    public static ApplyMonitor start(ApplierSettings settings, ServiceMetrics metrics) {
        return new ApplyMonitor(settings, metrics);
    }

    private synchronized void measure() throws SQLException {
        if (pool.isClosed()) {
            return;
        }
        Map<String, ApplyLag.Lag> byTopic;
        try (Connection c = pool.getConnection()) {
            stops = Map.copyOf(StoppedTables.all(c));
            byTopic = lag.measureByTopic(c); // last: on a follower not prepared yet it ends the transaction in an error
            c.rollback();
        }
        List<MultiGauge.Row<?>> records = new ArrayList<>();
        List<MultiGauge.Row<?>> wal = new ArrayList<>();
        List<MultiGauge.Row<?>> seconds = new ArrayList<>();
        List<MultiGauge.Row<?>> stopped = new ArrayList<>();
        byTopic.forEach((topic, l) -> {
            Tags table = Tags.of("table", PoisonEvent.tableOfTopic(topic));
            records.add(MultiGauge.Row.of(table, l.records()));
            wal.add(MultiGauge.Row.of(table, l.walBytes() == null ? Double.NaN : l.walBytes()));
            seconds.add(MultiGauge.Row.of(table, l.behindCommit() == null ? Double.NaN : l.behindCommit().toMillis() / 1000.0));
            stopped.add(MultiGauge.Row.of(table, stops.containsKey(topic) ? 1 : 0));
        });
        lagRecords.register(records, true);
        lagWalBytes.register(wal, true);
        lagSeconds.register(seconds, true);
        tableStopped.register(stopped, true);
    }

    /** Down while the follower's lag cannot be measured, or a table is stopped at a poison event. */
    public Health health() {
        Health measured = sample.health();
        if (!measured.up()) {
            return measured;
        }
        Map<String, PoisonEvent> s = stops;
        if (!s.isEmpty()) {
            PoisonEvent first = s.values().iterator().next();
            return Health.down(s.size() + " table(s) stopped at a poison event, e.g. " + first.where() + ": "
                    + first.reason() + "; once fixed run `replog resume --table " + first.table() + "`");
        }
        return measured;
    }

    /**
     * Ready once an applier runs, the follower's lag can be measured, and no table is stopped at a
     * poison event. An applier with no partitions assigned (more appliers than partitions) is ready.
     *
     * @param applier null while none runs
     */
    public Health readiness(ApplierService applier) {
        return Health.all(applier == null ? Health.down("applier not started") : applier.liveness(), health(),
                Health.up("applying; lag measured"));
    }

    @Override
    public synchronized void close() {
        pool.close();
        lag.close();
    }
}
