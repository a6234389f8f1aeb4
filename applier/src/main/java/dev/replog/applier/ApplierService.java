package dev.replog.applier;

import com.zaxxer.hikari.HikariDataSource;
import dev.replog.applier.deadletter.DeadLetterPublisher;
import dev.replog.applier.deadletter.DeadLetterStore;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.applier.follower.KeyMoves;
import dev.replog.applier.row.RowApply;
import dev.replog.applier.state.AppliedLsn;
import dev.replog.applier.state.FollowerIdentity;
import dev.replog.applier.state.PartitionOwners;
import dev.replog.applier.state.PositionStore;
import dev.replog.applier.state.StoppedTables;
import dev.replog.applier.state.TableDefinitionStore;
import dev.replog.applier.state.WatermarkStore;
import dev.replog.applier.transactional.TransactionalApply;
import dev.replog.metrics.Health;
import dev.replog.metrics.ReplogMetric;
import dev.replog.metrics.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import dev.replog.schemas.Lsn;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps one follower up to date: prepares the follower's {@code replog} schema, owns the pool, the
 * consumer and the applier thread, and runs the {@link ApplyLoop} of the configured mode
 * ({@link RowApply} or {@link TransactionalApply}) on it. Whatever ends that thread, an error
 * included, completes {@link #stopped()}: the process never stays up with a dead applier.
 */
public final class ApplierService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApplierService.class);

    private final ApplierSettings settings;
    private final HikariDataSource pool;
    private final FollowerIdentity identity;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final DeadLetterPublisher deadLetters;
    private final ApplierMetrics metrics;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final Thread runner;
    private final DistributionSummary batchEvents;
    private final Timer commits;
    private final Counter followerRetries;
    private final Counter kafkaRetries;
    private volatile boolean stopping;
    private final Lsn stopAfter;
    private final Set<String> writtenTopics;
    private final Map<TopicPartition, Long> stopBefore;
    private volatile boolean reachedStop;

    private ApplierService(ApplierSettings settings, ServiceMetrics serviceMetrics, Lsn stopAfter, Set<String> writtenTopics,
                           Map<TopicPartition, Long> stopBefore) throws SQLException {
        this.settings = settings;
        this.stopAfter = stopAfter;
        this.stopBefore = stopBefore;
        this.writtenTopics = writtenTopics;
        this.pool = settings.follower().openPool("replog-applier");
        try (Connection c = pool.getConnection()) {
            createStateTables(c);
            if (stopAfter == null && stopBefore == null) {
                FollowerIdentity.refusePointInTime(c, settings.follower().toString());
            }
            // Refuses a follower fed by another group or mode, before this applier joins anything.
            this.identity = FollowerIdentity.establish(c, settings.groupId(), settings.mode(), settings.follower().toString());
            c.commit();
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
        this.consumer = new KafkaConsumer<>(consumerConfig(settings), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deadLetters = new DeadLetterPublisher(settings);
        this.metrics = new ApplierMetrics(settings.groupId(), applied::get, deadLettered::get);
        // The same counts as the JMX bean's.
        MeterRegistry meters = serviceMetrics.registry();
        ReplogMetric.APPLY_EVENTS_APPLIED.functionCounter(meters, applied, AtomicLong::get);
        ReplogMetric.APPLY_EVENTS_REPLAYED.functionCounter(meters, replayed, AtomicLong::get);
        ReplogMetric.APPLY_DEAD_LETTERS.functionCounter(meters, deadLettered, AtomicLong::get);
        this.batchEvents = ReplogMetric.APPLY_BATCH_EVENTS.summary(meters);
        this.commits = ReplogMetric.APPLY_COMMIT.timer(meters);
        this.followerRetries = ReplogMetric.APPLY_RETRIES.counter(meters, "cause", "follower");
        this.kafkaRetries = ReplogMetric.APPLY_RETRIES.counter(meters, "cause", "kafka");
        this.runner = new Thread(this::run, "replog-applier");
    }

    /** Connects to the follower, prepares its {@code replog} schema and starts applying in the background. */
    public static ApplierService start(ApplierSettings settings) {
        return start(settings, ServiceMetrics.none());
    }

    /** {@link #start(ApplierSettings)}, measured into these metrics ({@link ApplyMonitor} measures the lag). */
    public static ApplierService start(ApplierSettings settings, ServiceMetrics metrics) {
        return start(settings, metrics, null, null, null);
    }

    /**
     * Applies in transactional mode every leader transaction committed at or before {@code stopAfter}
     * and none after, then stops ({@link #stopped()} completes, {@link #reachedStop()} is true): the
     * replay of a point-in-time rebuild. A follower marked as such a copy is accepted.
     */
    public static ApplierService startUntil(ApplierSettings settings, Lsn stopAfter) {
        return startUntil(settings, stopAfter, null);
    }

    /**
     * Like {@link #startUntil(ApplierSettings, Lsn)}, writing only the events of these table topics:
     * the others are read and counted but not applied (a rebuild of some tables of a transactional
     * follower, to the watermark the others are at).
     */
    public static ApplierService startUntil(ApplierSettings settings, Lsn stopAfter, Set<String> writtenTopics) {
        if (settings.mode() != ApplyMode.TRANSACTIONAL) {
            throw new IllegalArgumentException("a replay to an LSN runs in transactional mode");
        }
        return start(settings, ServiceMetrics.none(), java.util.Objects.requireNonNull(stopAfter), writtenTopics, null);
    }

    /**
     * Applies in row mode each table partition's records before its offset in {@code stopBefore}, and
     * nothing of a partition not named; the partitions then stay where they are until {@link #close()}
     * (the first part of a transactional rebuild from the tables' copies). A follower marked as a
     * point-in-time copy is accepted.
     */
    public static ApplierService startRowsUntil(ApplierSettings settings, Map<TopicPartition, Long> stopBefore) {
        if (settings.mode() != ApplyMode.ROW) {
            throw new IllegalArgumentException("a replay to offsets runs in row mode");
        }
        return start(settings, ServiceMetrics.none(), null, null, java.util.Objects.requireNonNull(stopBefore));
    }

    private static ApplierService start(ApplierSettings settings, ServiceMetrics metrics, Lsn stopAfter, Set<String> writtenTopics,
                                        Map<TopicPartition, Long> stopBefore) {
        try {
            ApplierService s = new ApplierService(settings, metrics, stopAfter, writtenTopics, stopBefore);
            s.runner.start();
            return s;
        } catch (SQLException e) {
            throw new ApplyException("cannot prepare follower " + settings.follower() + ": " + e.getMessage(), e);
        }
    }

    /** Creates the follower's {@code replog} schema tables and functions that are missing. */
    public static void createStateTables(Connection c) throws SQLException {
        PositionStore.createIfMissing(c);
        DeadLetterStore.createIfMissing(c);
        StoppedTables.createIfMissing(c);
        TableDefinitionStore.createIfMissing(c);
        WatermarkStore.createIfMissing(c);
        KeyMoves.createIfMissing(c);
        PartitionOwners.createIfMissing(c);
        FollowerIdentity.createIfMissing(c);
        AppliedLsn.createIfMissing(c); // reads the tables above
    }

    private static Properties consumerConfig(ApplierSettings s) {
        Properties p = s.kafka().clientConfig();
        p.put("group.id", s.groupId());
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        p.put("max.poll.records", Integer.toString(s.batchSize()));
        // A value with its schema is a few KiB: the default 1 MiB per partition fetch holds far fewer
        // records than one batch, so a poll would apply a fraction of apply.batch.size. Kafka buffers
        // one fetch per broker, so its share of apply.buffer.max.bytes bounds it whatever the partitions.
        p.put("fetch.max.bytes", Integer.toString(s.fetchMaxBytes()));
        p.put("max.partition.fetch.bytes", Integer.toString(Math.min(8 * 1024 * 1024, s.fetchMaxBytes())));
        boolean waits = !s.fetchWait().isZero();
        p.put("fetch.min.bytes", Integer.toString(waits ? ApplierSettings.FETCH_MIN_BYTES : 1));
        p.put("fetch.max.wait.ms", Long.toString(waits ? s.fetchWait().toMillis() : 0));
        // Pattern subscriptions find new table topics only on a metadata refresh (default 5 min).
        p.put("metadata.max.age.ms", "2000");
        p.put("client.id", "replog-applier-" + s.groupId());
        return p;
    }

    private final ApplyCounters counters = new ApplyCounters() {
        @Override
        public void applied(int events, int replayedEvents, long commitNanos) {
            applied.addAndGet(events);
            replayed.addAndGet(replayedEvents);
            batchEvents.record(events);
            commits.record(commitNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void retried(String cause) {
            (cause.equals("kafka") ? kafkaRetries : followerRetries).increment();
        }

        @Override
        public void deadLettered(PoisonEvent e) {
            deadLetters.publish(e);
            deadLettered.incrementAndGet();
        }
    };

    private ApplyLoop loop() {
        return settings.mode() == ApplyMode.TRANSACTIONAL
                ? new TransactionalApply(settings, pool, consumer, counters, () -> stopping, identity, stopAfter,
                        writtenTopics, () -> reachedStop = true)
                : new RowApply(settings, pool, consumer, counters, () -> stopping, identity, stopBefore);
    }

    /** Whether a replay started with {@link #startUntil} applied everything up to its LSN and stopped there. */
    public boolean reachedStop() {
        return reachedStop;
    }

    private void run() {
        try {
            loop().run();
            stopped.complete(null);
        } catch (WakeupException e) {
            stopped.complete(null);
        } catch (Throwable e) {
            // Errors too (OutOfMemoryError included): the thread ends here, so the process must end
            // with it, or a supervisor would see a live process with a follower frozen in time.
            log.error("applier stopped on error: {}", describe(e));
            stopped.completeExceptionally(e);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException ignored) {
                // Stopping anyway; a consumer that cannot leave its group is fenced by the group's timeout.
            }
        }
    }

    static String describe(Throwable e) {
        return e instanceof ApplyException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** Changes recognised as already applied (written again by a restarted capture) and skipped. */
    public long replayedCount() {
        return replayed.get();
    }

    /** Events applied since start. */
    public long appliedCount() {
        return applied.get();
    }

    /**
     * Poison events sent to the dead-letter topic since start: skipped ones, and the ones tables
     * stopped at.
     */
    public long deadLetteredCount() {
        return deadLettered.get();
    }

    /** Live until the applier thread ends (on an error the process then ends too). */
    public Health liveness() {
        return stopped.isDone() ? Health.down("applier stopped") : Health.up("applier running");
    }

    /** Completes when the applier stops; exceptionally if it stopped on an error (already logged). */
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    @Override
    public void close() {
        stopping = true;
        if (!stopped.isDone()) {
            consumer.wakeup();
        }
        try {
            runner.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
        deadLetters.close();
        metrics.close();
        log.info("applier stopped: {} events applied", applied.get());
    }
}
