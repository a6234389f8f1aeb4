package dev.replog.applier;

import com.zaxxer.hikari.HikariDataSource;
import dev.replog.schemas.SourceOrder;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps one follower up to date: consumes the table topics in a consumer group and applies each
 * poll in one follower transaction that also stores the new positions. Where to resume is read from
 * the follower, never from Kafka's committed offsets (those are committed only for monitoring).
 */
public final class ApplierService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ApplierService.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final ApplierSettings settings;
    private final HikariDataSource pool;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final BatchApplier batches;
    private final Map<String, Integer> partitionCounts = new HashMap<>();
    /** Assigned partitions not yet positioned from the follower: never polled until they are. */
    private final Set<TopicPartition> unpositioned = new HashSet<>();
    private final Map<TopicPartition, PartitionWait> waiting = new HashMap<>();
    /** Partitions of tables stopped at a poison event: paused until the stop is lifted on the follower. */
    private final Set<TopicPartition> stoppedPartitions = new HashSet<>();
    private final DeadLetterPublisher deadLetters;
    private final ApplierMetrics metrics;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    /** Per assigned partition, the source order of the last change applied (loaded with the positions). */
    private final Map<TopicPartition, SourceOrder> lastApplied = new HashMap<>();
    private final AtomicLong deadLettered = new AtomicLong();
    private long nextStopCheck;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final Thread runner;
    private volatile boolean stopping;
    private boolean caughtUp;

    private ApplierService(ApplierSettings settings) throws SQLException {
        this.settings = settings;
        this.pool = settings.follower().openPool("replog-applier");
        try (Connection c = pool.getConnection()) {
            PositionStore.createIfMissing(c);
            DeadLetterStore.createIfMissing(c);
            StoppedTables.createIfMissing(c);
            TableDefinitionStore.createIfMissing(c);
            WatermarkStore.createIfMissing(c);
            KeyMoves.createIfMissing(c);
            c.commit();
        }
        this.consumer = new KafkaConsumer<>(consumerConfig(settings), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.batches = new BatchApplier(this::partitionCount);
        this.deadLetters = new DeadLetterPublisher(settings);
        this.metrics = new ApplierMetrics(settings.groupId(), applied::get, deadLettered::get);
        this.runner = new Thread(this::run, "replog-applier");
    }

    /** Connects to the follower, prepares its {@code replog} schema and starts applying in the background. */
    public static ApplierService start(ApplierSettings settings) {
        try {
            ApplierService s = new ApplierService(settings);
            s.runner.start();
            return s;
        } catch (SQLException e) {
            throw new ApplyException("cannot prepare follower " + settings.follower() + ": " + e.getMessage(), e);
        }
    }

    private static Properties consumerConfig(ApplierSettings s) {
        Properties p = s.kafka().clientConfig();
        p.put("group.id", s.groupId());
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        p.put("max.poll.records", Integer.toString(s.batchSize()));
        // A value with its schema is a few KiB: the default 1 MiB per partition fetch holds far fewer
        // records than one batch, so a poll would apply a fraction of apply.batch.size.
        p.put("max.partition.fetch.bytes", Integer.toString(8 * 1024 * 1024));
        boolean waits = !s.fetchWait().isZero();
        p.put("fetch.min.bytes", Integer.toString(waits ? ApplierSettings.FETCH_MIN_BYTES : 1));
        p.put("fetch.max.wait.ms", Long.toString(waits ? s.fetchWait().toMillis() : 0));
        // Pattern subscriptions find new table topics only on a metadata refresh (default 5 min).
        p.put("metadata.max.age.ms", "2000");
        p.put("client.id", "replog-applier-" + s.groupId());
        return p;
    }

    /** What an apply loop reports back. */
    interface Counters {
        void applied(int events, int replayedEvents);

        /** Sends a poison event to the dead-letter topic, acknowledged before anything moves past it. */
        void deadLettered(PoisonEvent e);
    }

    private final Counters counters = new Counters() {
        @Override
        public void applied(int events, int replayedEvents) {
            applied.addAndGet(events);
            replayed.addAndGet(replayedEvents);
        }

        @Override
        public void deadLettered(PoisonEvent e) {
            deadLetters.publish(e);
            deadLettered.incrementAndGet();
        }
    };

    private void run() {
        try {
            if (settings.mode() == ApplyMode.TRANSACTIONAL) {
                new TransactionalApply(settings, pool, consumer, counters, () -> stopping).run();
            } else {
                runRows();
            }
            stopped.complete(null);
        } catch (WakeupException e) {
            stopped.complete(null);
        } catch (RuntimeException e) {
            log.error("applier stopped on error: {}", e.getMessage());
            stopped.completeExceptionally(e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Row mode: a consumer group's partitions, each poll in one follower transaction. */
    private void runRows() {
        consumer.subscribe(settings.topics().tableTopicPattern(), new Positioner());
        log.info("applier started: group {} applying {}.* to follower {}", settings.groupId(),
                settings.topics().prefix(), settings.follower());
        while (!stopping) {
            releaseStopped();
            positionPending();
            releaseWaiting();
            ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
            if (records.isEmpty()) {
                if (!caughtUp && applied.get() > 0) {
                    log.info("applier caught up: {} events applied", applied.get());
                    caughtUp = true;
                }
                continue;
            }
            caughtUp = false;
            applyWithRetry(records);
        }
    }

    private void applyWithRetry(ConsumerRecords<byte[], byte[]> records) {
        SetAside setAside = new SetAside();
        boolean batched = true;
        Duration backoff = Duration.ofMillis(500);
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                BatchApplier.Outcome outcome = batches.apply(c, records, batched, setAside, lastApplied);
                afterCommit(outcome, setAside);
                return;
            } catch (PoisonEventException e) {
                // Applied again without it; the good records of the poll must not suffer.
                setAside(e.event(), setAside);
                continue;
            } catch (SQLException e) {
                if (!SqlErrors.isRetriable(e)) {
                    if (!batched) {
                        // Not one record's fault (e.g. the replog schema itself): nothing to set aside.
                        throw new ApplyException("follower refused a batch: " + SqlErrors.describe(e), e);
                    }
                    // Re-run change by change, so the error names the one record at fault.
                    batched = false;
                    continue;
                }
                if (stopping) {
                    throw new ApplyException("stopped while the follower was unavailable", e);
                }
                log.warn("follower {} unavailable (attempt {}): {}; retrying in {} ms", settings.follower(), attempt,
                        SqlErrors.describe(e), backoff.toMillis());
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Sends a poison event to the dead-letter topic (acknowledged before any transaction moves past it). */
    private void setAside(PoisonEvent e, SetAside setAside) {
        counters.deadLettered(e);
        if (settings.onError() == ErrorPolicy.SKIP) {
            log.warn("skipped poison event at {}: {}; kept in dead-letter topic {} and replog.dead_letters",
                    e.where(), e.reason(), settings.topics().deadLetter());
            setAside.skip(e);
        } else {
            setAside.stop(e);
        }
    }

    private void afterCommit(BatchApplier.Outcome outcome, SetAside setAside) {
        applied.addAndGet(outcome.applied());
        replayed.addAndGet(outcome.replayed());
        outcome.positions().forEach((tp, pos) -> {
            if (pos.applied() != null) {
                lastApplied.put(tp, pos.applied());
            }
        });
        for (PoisonEvent stop : setAside.stops()) {
            log.error("{} stopped at a poison event: {}; other tables go on. The event is in dead-letter topic {}; "
                    + "once fixed run `replog resume --table {}` (or add --skip to skip it)",
                    stop.where(), stop.reason(), settings.topics().deadLetter(), stop.table());
        }
        for (TopicPartition tp : outcome.stopped()) {
            // Its position on the follower stays before the poison event; re-read from there once resumed.
            if (stoppedPartitions.add(tp)) {
                consumer.pause(Set.of(tp));
            }
        }
        for (Map.Entry<TopicPartition, BatchApplier.Wait> w : outcome.waiting().entrySet()) {
            TopicPartition tp = w.getKey();
            // The rest of this partition's poll was not applied: read it again once released.
            consumer.seek(tp, w.getValue().from());
            consumer.pause(Set.of(tp));
            waiting.put(tp, w.getValue().until());
            log.info("partition {} waits for {}", tp, w.getValue().until());
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        outcome.positions().forEach((tp, pos) -> offsets.put(tp, new OffsetAndMetadata(pos.offset() + 1)));
        consumer.commitAsync(offsets, null);
    }

    /** Positions again, and so resumes, partitions whose table's stop was lifted ({@code replog resume}). */
    private void releaseStopped() {
        if (stoppedPartitions.isEmpty() || System.nanoTime() - nextStopCheck < 0) {
            return;
        }
        nextStopCheck = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        try (Connection c = pool.getConnection()) {
            Set<String> stillStopped = StoppedTables.all(c).keySet();
            c.rollback();
            for (Iterator<TopicPartition> it = stoppedPartitions.iterator(); it.hasNext(); ) {
                TopicPartition tp = it.next();
                if (!stillStopped.contains(tp.topic())) {
                    it.remove();
                    unpositioned.add(tp);
                    log.info("partition {} resumes: its table is no longer stopped", tp);
                }
            }
        } catch (SQLException e) {
            log.warn("cannot check stopped tables on follower {}: {}", settings.follower(), e.getMessage());
        }
    }

    private void releaseWaiting() {
        if (waiting.isEmpty()) {
            return;
        }
        try (Connection c = pool.getConnection()) {
            for (Iterator<Map.Entry<TopicPartition, PartitionWait>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<TopicPartition, PartitionWait> w = it.next();
                if (w.getValue().released(c)) {
                    consumer.resume(Set.of(w.getKey()));
                    it.remove();
                }
            }
            c.rollback();
        } catch (SQLException e) {
            log.warn("cannot check waiting partitions on follower {}: {}", settings.follower(), e.getMessage());
        }
    }

    /** Seeks newly assigned partitions to the position stored in the follower. */
    private void positionPending() {
        if (unpositioned.isEmpty()) {
            return;
        }
        try (Connection c = pool.getConnection()) {
            Map<TopicPartition, Long> stored = PositionStore.load(c, unpositioned);
            unpositioned.forEach(lastApplied::remove);
            lastApplied.putAll(PositionStore.loadAppliedOrders(c, unpositioned));
            Map<String, PoisonEvent> stops = StoppedTables.all(c);
            for (TopicPartition tp : unpositioned) {
                Long offset = stored.get(tp);
                if (offset == null) {
                    consumer.seekToBeginning(Set.of(tp));
                } else {
                    consumer.seek(tp, offset + 1);
                }
                Optional<TruncateBarrier.Id> w = TruncateBarrier.waitingAt(c, tp);
                PoisonEvent stop = stops.get(tp.topic());
                if (stop != null) {
                    if (stoppedPartitions.add(tp)) {
                        log.error("partition {} stays paused: {} is stopped at a poison event: {}; once fixed run "
                                + "`replog resume --table {}`", tp, stop.where(), stop.reason(), stop.table());
                    }
                } else if (w.isPresent()) {
                    waiting.put(tp, w.get());
                } else {
                    consumer.resume(Set.of(tp));
                }
            }
            c.rollback();
            log.info("applier positioned {} partition(s) from follower: {}", unpositioned.size(), stored);
            unpositioned.clear();
        } catch (SQLException e) {
            log.warn("cannot read positions from follower {}: {}; partitions stay paused", settings.follower(), e.getMessage());
            sleep(Duration.ofSeconds(1));
        }
    }

    private int partitionCount(String topic) {
        return partitionCounts.computeIfAbsent(topic, t -> consumer.partitionsFor(t).size());
    }

    private final class Positioner implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // Paused until positioned from the follower, so nothing is read from a wrong offset.
            consumer.pause(partitions);
            unpositioned.addAll(partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            unpositioned.removeAll(partitions);
            stoppedPartitions.removeAll(partitions);
            partitions.forEach(waiting::remove);
            partitions.forEach(lastApplied::remove);
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Events applied since start. */
    /** Changes recognised as already applied (written again by a restarted capture) and skipped. */
    public long replayedCount() {
        return replayed.get();
    }

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

    /** Completes when the applier stops; exceptionally if it stopped on an error. */
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
