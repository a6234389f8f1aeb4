package dev.replog.serve.http;

import dev.replog.metrics.ReplogMetric;
import dev.replog.metrics.ServiceMetrics;
import dev.replog.schemas.Lsn;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A serve instance's meters: its reads, and its store partitions' applied LSN and lag, sampled from its status. */
final class ServeMeters {

    private final MeterRegistry registry;
    private final StatusReport status;
    private final MultiGauge appliedLsn;
    private final MultiGauge lagRecords;
    private final MultiGauge lagSeconds;
    private volatile boolean stopped;

    ServeMeters(ServiceMetrics metrics, StatusReport status, String self) {
        this.registry = metrics.registry();
        this.status = status;
        this.appliedLsn = ReplogMetric.SERVE_APPLIED_LSN.multiGauge(registry);
        this.lagRecords = ReplogMetric.SERVE_LAG_RECORDS.multiGauge(registry);
        this.lagSeconds = ReplogMetric.SERVE_LAG_SECONDS.multiGauge(registry);
        metrics.every("the store partitions of serve " + self, this::measure);
    }

    /** @param kind {@code row} or {@code scan} */
    void lookup(String kind, int status, long nanos) {
        ReplogMetric.SERVE_LOOKUPS.timer(registry, "kind", kind, "status", Integer.toString(status))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The instance stops: its status is no longer there to sample (the service's metrics may outlive it). */
    void stop() {
        stopped = true;
    }

    private void measure() {
        if (stopped) {
            return;
        }
        List<MultiGauge.Row<?>> lsn = new ArrayList<>();
        List<MultiGauge.Row<?>> records = new ArrayList<>();
        List<MultiGauge.Row<?>> seconds = new ArrayList<>();
        for (StatusReport.HeldPartition p : status.held()) {
            if (p.progress() == null) {
                continue;
            }
            Tags tags = Tags.of("table", p.table().toString(), "partition", Integer.toString(p.held().partition()),
                    "role", p.held().role().name().toLowerCase());
            lsn.add(MultiGauge.Row.of(tags, Lsn.parse(p.progress().appliedLsn()).value()));
            records.add(MultiGauge.Row.of(tags, p.lagRecords()));
            seconds.add(MultiGauge.Row.of(tags, p.lagSeconds()));
        }
        appliedLsn.register(lsn, true);
        lagRecords.register(records, true);
        lagSeconds.register(seconds, true);
    }
}
