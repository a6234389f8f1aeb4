package dev.replog.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Timer;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Every Replog meter: its name, kind, labels and meaning, declared once. Services make their meters
 * through these constants only, so the names the Grafana dashboard and the alert rules use can be
 * checked against this list (docs/metrics.md describes each one).
 */
public enum ReplogMetric {

    CAPTURE_EVENTS_PUBLISHED("replog.capture.events.published", Kind.COUNTER, List.of(),
            "Change events capture published and Kafka acknowledged (committed batches)."),
    CAPTURE_BATCH_PUBLISH("replog.capture.batch.publish", Kind.TIMER, List.of(),
            "Time to publish one Debezium batch: from the start of its Kafka transaction to its commit (every send acknowledged)."),
    CAPTURE_BATCH_EVENTS("replog.capture.batch.events", Kind.SUMMARY, List.of(),
            "Change events per published batch."),
    CAPTURE_PUBLISHED_LSN("replog.capture.published.lsn", Kind.GAUGE, List.of(),
            "Highest leader LSN whose batch Kafka acknowledged, as a number (bytes into the WAL)."),
    CAPTURE_STREAMING("replog.capture.streaming", Kind.GAUGE, List.of(),
            "1 while Debezium streams from the slot, 0 while it starts or restarts after an error."),
    CAPTURE_RETRIES("replog.capture.retries", Kind.COUNTER, List.of(),
            "Restarts of the Debezium engine after an error (leader or Kafka unreachable, a batch refused)."),
    CAPTURE_SLOT_CONFIRMED_LSN("replog.capture.slot.confirmed.lsn", Kind.GAUGE, List.of(),
            "The slot's confirmed_flush_lsn on the leader (sampled): the WAL before it may be recycled."),
    CAPTURE_SLOT_RETAINED_WAL("replog.capture.slot.retained.wal.bytes", Kind.GAUGE, List.of(),
            "WAL the leader keeps for the slot (sampled): pg_current_wal_lsn() minus the slot's restart_lsn."),
    CAPTURE_SLOT_ACTIVE("replog.capture.slot.active", Kind.GAUGE, List.of(),
            "1 if a walsender streams from the slot (sampled)."),

    APPLY_EVENTS_APPLIED("replog.apply.events.applied", Kind.COUNTER, List.of(),
            "Change events applied to the follower and committed."),
    APPLY_EVENTS_REPLAYED("replog.apply.events.replayed", Kind.COUNTER, List.of(),
            "Events recognised as applied before (written again by a restarted capture) and skipped."),
    APPLY_BATCH_EVENTS("replog.apply.batch.events", Kind.SUMMARY, List.of(),
            "Events applied per follower transaction."),
    APPLY_COMMIT("replog.apply.commit", Kind.TIMER, List.of(),
            "Time to write a follower transaction's buffered rows and positions and commit it."),
    APPLY_RETRIES("replog.apply.retries", Kind.COUNTER, List.of("cause"),
            "Retries after an outage: cause `follower` (the follower refused or was unreachable) or `kafka`."),
    APPLY_DEAD_LETTERS("replog.apply.dead.letters", Kind.COUNTER, List.of(),
            "Poison events sent to the dead-letter topic (skipped, or a table stopped at)."),
    APPLY_LAG_RECORDS("replog.apply.lag.records", Kind.GAUGE, List.of("table"),
            "Committed data records of the table's topic not yet applied to the follower (sampled)."),
    APPLY_LAG_WAL_BYTES("replog.apply.lag.wal.bytes", Kind.GAUGE, List.of("table"),
            "WAL bytes from the follower's applied LSN to the newest pending change of the table in the log; 0 when caught up (sampled)."),
    APPLY_LAG_SECONDS("replog.apply.lag.seconds", Kind.GAUGE, List.of("table"),
            "Seconds since the leader committed the oldest change of the table the follower lacks; 0 when caught up (sampled)."),
    APPLY_TABLE_STOPPED("replog.apply.table.stopped", Kind.GAUGE, List.of("table"),
            "1 while the table is stopped at a poison event (until `replog resume`), else 0 (sampled)."),
    APPLY_STOPPED_TABLES("replog.apply.stopped.tables", Kind.GAUGE, List.of(),
            "Tables stopped at a poison event on this follower (sampled)."),

    SERVE_LOOKUPS("replog.serve.lookups", Kind.TIMER, List.of("kind", "status"),
            "Reads answered, and how long each took: kind `row` (by key) or `scan` (prefix scan), status the HTTP status."),
    SERVE_APPLIED_LSN("replog.serve.applied.lsn", Kind.GAUGE, List.of("table", "partition", "role"),
            "LSN up to which the instance's store partition (role `active` or `standby`) has applied the log, as a number (sampled)."),
    SERVE_LAG_RECORDS("replog.serve.lag.records", Kind.GAUGE, List.of("table", "partition", "role"),
            "Records of the partition not yet in the instance's store (sampled)."),
    SERVE_LAG_SECONDS("replog.serve.lag.seconds", Kind.GAUGE, List.of("table", "partition", "role"),
            "Seconds since the leader committed the last change in the store, while records are pending; else 0 (sampled).");

    /** How a meter appears in Prometheus. */
    public enum Kind { COUNTER, GAUGE, TIMER, SUMMARY }

    private final String name;
    private final Kind kind;
    private final List<String> labels;
    private final String description;

    ReplogMetric(String name, Kind kind, List<String> labels, String description) {
        this.name = name;
        this.kind = kind;
        this.labels = labels;
        this.description = description;
    }

    public Kind kind() {
        return kind;
    }

    public List<String> labels() {
        return labels;
    }

    public String description() {
        return description;
    }

    /** The name Prometheus shows for a gauge, and the stem of the others' series, e.g. {@code replog_apply_lag_records}. */
    public String prometheusName() {
        String base = name.replace('.', '_');
        return switch (kind) {
            case COUNTER -> base + "_total";
            case TIMER -> base + "_seconds";
            case GAUGE, SUMMARY -> base;
        };
    }

    /** Every series name a scrape has for this meter (a timer's and a summary's count, sum, max and buckets). */
    public List<String> seriesNames() {
        String p = prometheusName();
        return switch (kind) {
            case COUNTER, GAUGE -> List.of(p);
            case TIMER, SUMMARY -> List.of(p + "_count", p + "_sum", p + "_max", p + "_bucket");
        };
    }

    public Counter counter(MeterRegistry r, String... tags) {
        check(Kind.COUNTER, tags);
        return Counter.builder(name).description(description).tags(tags).register(r);
    }

    /** A counter read from a count kept elsewhere (e.g. one a JMX bean shows too). */
    public <T> FunctionCounter functionCounter(MeterRegistry r, T source, ToDoubleFunction<T> count) {
        check(Kind.COUNTER);
        return FunctionCounter.builder(name, source, count).description(description).register(r);
    }

    /** With histogram buckets, so percentiles can be computed across instances in Prometheus. */
    public Timer timer(MeterRegistry r, String... tags) {
        check(Kind.TIMER, tags);
        return Timer.builder(name).description(description).tags(tags).publishPercentileHistogram().register(r);
    }

    public DistributionSummary summary(MeterRegistry r) {
        check(Kind.SUMMARY);
        return DistributionSummary.builder(name).description(description).publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue(100_000.0).register(r);
    }

    public <T> Gauge gauge(MeterRegistry r, T source, ToDoubleFunction<T> value) {
        check(Kind.GAUGE);
        return Gauge.builder(name, source, value).description(description).register(r);
    }

    /** A gauge with one series per label value set, replaced as a whole at each sample. */
    public MultiGauge multiGauge(MeterRegistry r) {
        if (kind != Kind.GAUGE || labels.isEmpty()) {
            throw new IllegalStateException(name + " is not a labelled gauge");
        }
        return MultiGauge.builder(name).description(description).register(r);
    }

    private void check(Kind expected, String... tags) {
        if (kind != expected || tags.length != labels.size() * 2) {
            throw new IllegalStateException(name + " is a " + kind + " with labels " + labels);
        }
    }
}
