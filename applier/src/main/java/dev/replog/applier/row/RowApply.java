package dev.replog.applier.row;

import com.zaxxer.hikari.HikariDataSource;
import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyCounters;
import dev.replog.applier.ApplyException;
import dev.replog.applier.ApplyLoop;
import dev.replog.applier.ErrorPolicy;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.applier.deadletter.PoisonEventException;
import dev.replog.applier.deadletter.SetAside;
import dev.replog.applier.follower.PartitionWait;
import dev.replog.applier.follower.SqlErrors;
import dev.replog.applier.follower.TruncateBarrier;
import dev.replog.applier.state.FollowerIdentity;
import dev.replog.applier.state.PartitionOwners;
import dev.replog.applier.state.PositionStore;
import dev.replog.applier.state.StoppedTables;
import dev.replog.schemas.SourceOrder;
import dev.replog.topology.Backoff;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The {@code row} apply mode: a consumer group's partitions, each poll applied in one follower
 * transaction together with the new positions. Partitions are independent (per-key order); where
 * to resume is read from the follower on every assignment, never from Kafka's committed offsets.
 */
public final class RowApply implements ApplyLoop {

    private static final Logger log = LoggerFactory.getLogger(RowApply.class);

    private final ApplierSettings settings;
    private final HikariDataSource pool;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ApplyCounters counters;
    private final BooleanSupplier stopping;
    private final FollowerIdentity identity;
    private final PartitionOwners owners;
    private final BatchApplier batches;
    private final Map<String, Integer> partitionCounts = new HashMap<>();
    /** Assigned partitions not yet positioned from the follower: never polled until they are. */
    private final Set<TopicPartition> unpositioned = new HashSet<>();
    private final Map<TopicPartition, PartitionWait> waiting = new HashMap<>();
    /** Partitions of tables stopped at a poison event: paused until the stop is lifted on the follower. */
    private final Set<TopicPartition> stoppedPartitions = new HashSet<>();
    /** Per assigned partition, the source order of the last change applied (loaded with the positions). */
    private final Map<TopicPartition, SourceOrder> lastApplied = new HashMap<>();
    private long nextStopCheck;
    private long nextGroupCheck;
    private long appliedSinceStart;
    private boolean caughtUp;
    /** A bounded replay: per partition, the first offset not applied (null: follows the log). */
    private final Map<TopicPartition, Long> stopBefore;

    /**
     * @param stopBefore null follows the log; otherwise no record at or after its partition's offset
     *                   here is applied, nor any record of a partition not named (the row-mode part of
     *                   a transactional rebuild from the tables' copies)
     */
    public RowApply(ApplierSettings settings, HikariDataSource pool, KafkaConsumer<byte[], byte[]> consumer,
                    ApplyCounters counters, BooleanSupplier stopping, FollowerIdentity identity,
                    Map<TopicPartition, Long> stopBefore) {
        this.stopBefore = stopBefore == null ? null : Map.copyOf(stopBefore);
        this.settings = settings;
        this.pool = pool;
        this.consumer = consumer;
        this.counters = counters;
        this.stopping = stopping;
        this.identity = identity;
        this.owners = new PartitionOwners(identity.applier());
        this.batches = new BatchApplier(this::partitionCount, owners, settings.schemaExpressions(), settings.userTypes(),
                settings.logSchemas());
    }

    @Override
    public void run() {
        consumer.subscribe(settings.topics().tableTopicPattern(), new Positioner());
        log.info("applier started: group {} applying {}.* to follower {}", settings.groupId(),
                settings.topics().prefix(), settings.follower());
        Backoff kafkaDown = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        while (!stopping.getAsBoolean()) {
            try {
                round();
                kafkaDown.reset();
            } catch (RetriableException e) {
                // Kafka unreachable for longer than a client timeout: what this poll applied is
                // either committed with its positions or rolled back, so read them again.
                unpositioned.addAll(consumer.assignment());
                consumer.pause(consumer.assignment());
                Duration d = kafkaDown.next();
                counters.retried("kafka");
                log.warn("Kafka unavailable (attempt {}): {}; repositioning from the follower in {} ms",
                        kafkaDown.attempt(), e.getMessage(), d.toMillis());
                Backoff.sleep(d);
            }
        }
    }

    private void round() {
        checkSharedGroup();
        releaseStopped();
        positionPending();
        releaseWaiting();
        ConsumerRecords<byte[], byte[]> records = bounded(consumer.poll(settings.pollTimeout()));
        if (records.isEmpty()) {
            if (!caughtUp && appliedSinceStart > 0) {
                log.info("applier caught up: {} events applied", appliedSinceStart);
                caughtUp = true;
            }
            return;
        }
        caughtUp = false;
        applyWithRetry(records);
    }

    private void applyWithRetry(ConsumerRecords<byte[], byte[]> polled) {
        ConsumerRecords<byte[], byte[]> records = polled;
        SetAside setAside = new SetAside();
        boolean batched = true;
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        while (true) {
            try (Connection c = pool.getConnection()) {
                long started = System.nanoTime();
                BatchApplier.Outcome outcome = batches.apply(c, records, batched, setAside, lastApplied);
                afterCommit(outcome, setAside, System.nanoTime() - started);
                return;
            } catch (PartitionOwners.FencedException e) {
                // A stale member (a long pause, a partition from the follower or the group): the group
                // gave these partitions to another applier, which claimed them on the follower.
                log.warn("partition(s) {} of follower {} were claimed by another applier since this one ({}) took them: "
                        + "nothing of this poll is written for them; they are dropped until the group assigns them again",
                        e.lost(), settings.follower(), identity.applier());
                drop(e.partitions());
                setAside.stops().removeIf(s -> e.partitions().contains(new TopicPartition(s.topic(), s.partition())));
                records = without(records, e.partitions());
                if (records.isEmpty()) {
                    return;
                }
            } catch (PoisonEventException e) {
                // Applied again without it; the good records of the poll must not suffer.
                setAside(e.event(), setAside);
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
                if (stopping.getAsBoolean()) {
                    throw new ApplyException("stopped while the follower was unavailable", e);
                }
                Duration d = backoff.next();
                counters.retried("follower");
                log.warn("follower {} unavailable (attempt {}): {}; retrying in {} ms", settings.follower(),
                        backoff.attempt(), SqlErrors.describe(e), d.toMillis());
                Backoff.sleep(d);
            }
        }
    }

    /** Leaves out the records at or after each partition's stop, and pauses a partition that reached it. */
    private ConsumerRecords<byte[], byte[]> bounded(ConsumerRecords<byte[], byte[]> records) {
        if (stopBefore == null || records.isEmpty()) {
            return records;
        }
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> kept = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            long stop = stopBefore.getOrDefault(tp, 0L);
            List<ConsumerRecord<byte[], byte[]>> before = records.records(tp).stream().filter(r -> r.offset() < stop).toList();
            if (before.size() < records.records(tp).size()) {
                consumer.pause(Set.of(tp));
            }
            if (!before.isEmpty()) {
                kept.put(tp, before);
            }
        }
        return new ConsumerRecords<>(kept, Map.of());
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

    private void afterCommit(BatchApplier.Outcome outcome, SetAside setAside, long commitNanos) {
        appliedSinceStart += outcome.applied();
        counters.applied(outcome.applied(), outcome.replayed(), commitNanos);
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
        outcome.positions().forEach((tp, pos) -> offsets.put(tp, identity.offset(pos.offset() + 1)));
        consumer.commitAsync(offsets, null); // for monitoring only: positions live in the follower
    }

    /**
     * Treats fenced partitions as revoked: paused, forgotten, not positioned again, and asks the group
     * to rebalance; if it assigns them to this applier again, they are claimed again then.
     */
    private void drop(Set<TopicPartition> partitions) {
        owners.forget(partitions);
        unpositioned.removeAll(partitions);
        stoppedPartitions.removeAll(partitions);
        partitions.forEach(waiting::remove);
        partitions.forEach(lastApplied::remove);
        Set<TopicPartition> assigned = new HashSet<>(partitions);
        assigned.retainAll(consumer.assignment());
        consumer.pause(assigned);
        consumer.enforceRebalance("replog: partitions claimed on the follower by another applier");
    }

    private static ConsumerRecords<byte[], byte[]> without(ConsumerRecords<byte[], byte[]> records, Set<TopicPartition> dropped) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> kept = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            if (!dropped.contains(tp)) {
                kept.put(tp, records.records(tp));
                OffsetAndMetadata n = records.nextOffsets().get(tp);
                if (n != null) {
                    next.put(tp, n);
                }
            }
        }
        return new ConsumerRecords<>(kept, next);
    }

    /**
     * Refuses to go on if this group's offsets were committed for another follower (two followers
     * sharing one apply.group.id): checked when partitions are assigned, and every 10 s for the case
     * of two followers whose appliers started together.
     */
    private void checkSharedGroup() {
        if (consumer.assignment().isEmpty() || System.nanoTime() - nextGroupCheck < 0) {
            return;
        }
        nextGroupCheck = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        identity.refuseForeignCommits(consumer, everyPartitionOf(consumer.assignment()));
    }

    /** Every partition of the topics these partitions belong to. */
    private Set<TopicPartition> everyPartitionOf(Set<TopicPartition> partitions) {
        Set<TopicPartition> all = new HashSet<>();
        for (TopicPartition tp : partitions) {
            for (int p = 0; p < partitionCount(tp.topic()); p++) {
                all.add(new TopicPartition(tp.topic(), p));
            }
        }
        return all;
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
        identity.refuseForeignCommits(consumer, everyPartitionOf(unpositioned));
        try (Connection c = pool.getConnection()) {
            // Claimed before the positions are read, in their transaction: waits for a batch another
            // applier still has in flight on them, then reads what it committed.
            owners.claim(c, unpositioned);
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
                } else if (stopBefore != null && (offset == null ? 0 : offset + 1) >= stopBefore.getOrDefault(tp, 0L)) {
                    log.debug("partition {} is at its stop: stays paused", tp);
                } else {
                    consumer.resume(Set.of(tp));
                }
            }
            c.commit(); // the claims; the rest was read
            log.info("applier positioned {} partition(s) from follower: {}", unpositioned.size(), stored);
            unpositioned.clear();
        } catch (SQLException e) {
            log.warn("cannot read positions from follower {}: {}; partitions stay paused", settings.follower(), e.getMessage());
            Backoff.sleep(Duration.ofSeconds(1));
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
            owners.forget(partitions);
            unpositioned.removeAll(partitions);
            stoppedPartitions.removeAll(partitions);
            partitions.forEach(waiting::remove);
            partitions.forEach(lastApplied::remove);
        }
    }
}
