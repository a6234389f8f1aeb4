package dev.replog.applier.transactional;

import com.zaxxer.hikari.HikariDataSource;
import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyCounters;
import dev.replog.applier.ApplyException;
import dev.replog.applier.ApplyLoop;
import dev.replog.applier.ErrorPolicy;
import dev.replog.applier.LogRecords;
import dev.replog.applier.deadletter.DeadLetterStore;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.applier.deadletter.PoisonEventException;
import dev.replog.applier.deadletter.SetAside;
import dev.replog.applier.follower.EventApplier;
import dev.replog.applier.follower.FollowerWriter;
import dev.replog.applier.follower.SqlErrors;
import dev.replog.applier.state.FollowerIdentity;
import dev.replog.applier.state.PartitionOwners;
import dev.replog.applier.state.Position;
import dev.replog.applier.state.PositionStore;
import dev.replog.applier.state.StoppedTables;
import dev.replog.applier.state.WatermarkStore;
import dev.replog.schemas.EventFormatException;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TransactionBoundary;
import dev.replog.schemas.compact.LogDecoder;
import dev.replog.schemas.compact.SchemaLookup;
import dev.replog.topology.Backoff;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The {@code transactional} apply mode: every leader transaction reaches the follower atomically
 * and in the leader's commit order, across tables and partitions, so every state a follower reader
 * sees existed on the leader. The transactions topic gives the commit order and each transaction's
 * event count per table; {@link TransactionAssembler} gathers the events from the table partitions.
 * One consumer reads every partition of the log (no consumer group balancing). Consecutive
 * transactions are grouped into one follower transaction with the positions and the watermark; a
 * transaction larger than the fetch queues is streamed into the open follower transaction, so memory
 * is bounded by the queues, not by the transaction.
 */
public final class TransactionalApply implements ApplyLoop {

    private static final Logger log = LoggerFactory.getLogger(TransactionalApply.class);
    private static final Duration TOPIC_SCAN = Duration.ofSeconds(2);

    private final ApplierSettings settings;
    private final HikariDataSource pool;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ApplyCounters counters;
    private final BooleanSupplier stopping;
    private final FollowerIdentity identity;
    private final PartitionOwners owners;
    private final ActiveLease lease;
    private final EventApplier events;
    private final LogDecoder decoder;
    private final FetchedLog fetched;
    private final TransactionAssembler assembler;
    private final TopicPartition transactionsPartition;
    private final SetAside setAside = new SetAside();
    private final Set<TopicPartition> paused = new HashSet<>();

    private Connection connection;
    private FollowerWriter writer;
    private boolean batched = true;
    /** Whether the open follower transaction has checked (and locked) this applier's partition epochs. */
    private boolean fenced;
    private PendingTransaction current;
    private boolean currentTouched;
    private Lsn watermark;
    private PendingTransaction lastFinished;
    private int uncommittedTransactions;
    private final SnapshotGate snapshot = new SnapshotGate();
    private final LogAssignment assignment;
    private boolean stoppedAtPoison;
    private long nextTopicScan;
    private boolean caughtUp;
    private long warnedMissingTopic = -1;
    private final Lsn stopAfter;
    private final Runnable onStop;
    /** The first transaction after {@link #stopAfter} has been read: nothing more is to be applied. */
    private boolean atStop;

    /**
     * @param stopAfter null follows the log; otherwise no transaction committed after this LSN is
     *                  applied: once every one at or before it is committed on the follower,
     *                  {@code onStop} runs and {@link #run} returns (a point-in-time replay)
     * @param writtenTopics null writes every table; otherwise only these topics' events are written
     *                      (the others are read and counted): a rebuild of some tables
     */
    public TransactionalApply(ApplierSettings settings, HikariDataSource pool, KafkaConsumer<byte[], byte[]> consumer,
                       ApplyCounters counters, BooleanSupplier stopping, FollowerIdentity identity, Lsn stopAfter,
                       Set<String> writtenTopics, Runnable onStop) {
        this.stopAfter = stopAfter;
        this.onStop = onStop;
        this.settings = settings;
        this.pool = pool;
        this.consumer = consumer;
        this.counters = counters;
        this.stopping = stopping;
        this.identity = identity;
        this.owners = new PartitionOwners(identity.applier());
        this.lease = new ActiveLease(settings.follower(), identity.applier());
        SchemaLookup schemas = settings.logSchemas();
        this.events = new EventApplier(settings.schemaExpressions(), settings.userTypes(), schemas);
        this.decoder = new LogDecoder(schemas);
        this.fetched = new FetchedLog(settings.topics().transactions());
        this.assembler = new TransactionAssembler(fetched, events, settings.topics().heartbeat());
        assembler.writeOnly(writtenTopics);
        this.transactionsPartition = new TopicPartition(settings.topics().transactions(), 0);
        this.assignment = new LogAssignment(settings.topics());
    }

    @Override
    public void run() {
        log.info("applier started in transactional mode: applying {}.* to follower {}", settings.topics().prefix(),
                settings.follower());
        try {
            applyUntilStopped();
        } finally {
            // Also when the service wakes the consumer up to stop: the lease's session must end with
            // this applier, or another one in this process (a rebuild, a restart) would stand by forever.
            closeConnection();
            lease.close();
        }
    }

    private void applyUntilStopped() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        boolean positioned = false;
        while (!stopping.getAsBoolean()) {
            try {
                if (!positioned) {
                    if (!lease.acquire(stopping)) {
                        break; // stopped while standing by
                    }
                    positioned = reposition();
                    if (!positioned) {
                        Backoff.sleep(Duration.ofSeconds(1)); // the log's topics do not exist (yet, or the broker lost them)
                        continue;
                    }
                }
                if (stoppedAtPoison) {
                    awaitResume();
                    positioned = stoppedAtPoison; // resumed: read the positions again, the stop may have moved them
                    continue;
                }
                discoverTopics();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout());
                fetched.add(records);
                limitQueues();
                progress();
                if (atStop && current == null) {
                    log.info("applied every transaction committed at or before {} to follower {}: watermark {}; stopping there",
                            stopAfter, settings.follower(), watermark);
                    onStop.run();
                    break;
                }
                reportCaughtUp(records.isEmpty());
                backoff.reset();
            } catch (PoisonEventException e) {
                handlePoison(e.event());
                positioned = false;
            } catch (PartitionOwners.FencedException e) {
                // Another transactional applier took the follower over (this one's lease session died).
                List<PartitionOwners.Lost> lost = e.lost();
                log.warn("transactional applier {} is fenced on follower {}: partition {}{}; nothing of its open "
                        + "transaction is written; it stands by", identity.applier(), settings.follower(), lost.get(0),
                        lost.size() > 1 ? " and " + (lost.size() - 1) + " more" : "");
                closeConnection();
                lease.release();
                positioned = false;
            } catch (SQLException e) {
                positioned = false;
                if (!SqlErrors.isRetriable(e)) {
                    if (!batched) {
                        throw new ApplyException("follower refused a transaction: " + SqlErrors.describe(e), e);
                    }
                    log.warn("follower {} refused a batch ({}); applying again change by change to find the event at fault",
                            settings.follower(), SqlErrors.describe(e));
                    batched = false;
                    continue;
                }
                Duration delay = backoff.next();
                counters.retried("follower");
                log.warn("follower {} unavailable: {}; retrying from its stored position in {} ms", settings.follower(),
                        SqlErrors.describe(e), delay.toMillis());
                Backoff.sleep(delay);
            } catch (RetriableException e) {
                // Kafka unreachable for longer than a client timeout (listing topics, committing):
                // like a follower outage, wait and start again from the follower's positions.
                positioned = false;
                Duration delay = backoff.next();
                counters.retried("kafka");
                log.warn("Kafka unavailable (attempt {}): {}; retrying from the follower's stored position in {} ms",
                        backoff.attempt(), e.getMessage(), delay.toMillis());
                Backoff.sleep(delay);
            }
        }
    }

    /**
     * Starts a follower transaction that will write by locking and checking this applier's partition
     * epochs, before anything is written: if another applier claimed them since, nothing is.
     *
     * @param writing the caller writes now; otherwise only if there are fetched records to apply
     */
    private void fence(boolean writing) throws SQLException {
        if (!fenced && (writing || current != null || !fetched.isEmpty())) {
            owners.verify(connection, owners.held());
            fenced = true;
        }
    }

    /** Applies every transaction the fetched records complete, and commits at transaction boundaries. */
    private void progress() throws SQLException {
        fence(false);
        while (true) {
            if (current == null) {
                current = nextTransaction();
                currentTouched = false;
            }
            if (current == null || !snapshotLoaded()) {
                assembler.advance(null);
                break;
            }
            if (!currentTouched && !fetched.topics().containsAll(current.expected().keySet())) {
                // A table created on the leader: its topic joins the assignment before its first transaction.
                if (uncommittedTransactions > 0 || assembler.hasUncommitted()) {
                    commit();
                }
                if (consumer.listTopics().keySet().containsAll(current.expected().keySet())) {
                    reposition();
                } else if (warnedMissingTopic != current.xid()) {
                    warnedMissingTopic = current.xid();
                    log.warn("transaction {} (commit LSN {}) has events for topics {} of which some do not exist; "
                            + "transactional apply waits for them", current.xid(), current.commitLsn(), current.expected().keySet());
                }
                return;
            }
            if (!currentTouched && uncommittedTransactions > 0 && fetched.transactionsQueued() == 0) {
                // Show what is complete before waiting on the next transaction's events.
                commit();
            }
            currentTouched = true;
            if (!assembler.advance(current)) {
                break;
            }
            finish(current);
            current = null;
            if (uncommittedTransactions >= settings.batchSize()) {
                commit();
            }
        }
        if (atStop && current == null && (assembler.hasUncommitted() || uncommittedTransactions > 0)) {
            commit(); // the last transactions at or before the stop: nothing follows them to commit with
            return;
        }
        // The initial snapshot is committed with the first transaction after it, never in parts: a
        // reader sees either nothing or a state the leader had.
        if (snapshot.isOpen() && (current == null || !currentTouched) && (assembler.hasUncommitted() || uncommittedTransactions > 0)) {
            commit();
        }
    }

    /** The next END after the watermark; BEGINs and ENDs applied before are passed over. */
    private PendingTransaction nextTransaction() {
        for (ConsumerRecord<byte[], byte[]> r = fetched.popTransaction(); r != null; r = fetched.popTransaction()) {
            if (r.value() == null) {
                passOver(r);
                continue;
            }
            TransactionBoundary boundary;
            try {
                boundary = decoder.decodeTransaction(r.value(), LogRecords.lsn(r));
            } catch (EventFormatException e) {
                // Without it the commit order is unknown: nothing after it may be applied.
                throw new ApplyException("cannot read transaction record " + LogRecords.where(r) + ": " + e.getMessage(), e);
            }
            if (boundary.kind() == TransactionBoundary.Kind.END && stopAfter != null
                    && boundary.source().lsn().isAfter(stopAfter)) {
                atStop = true; // never applied, and its position is not taken: the replay ends before it
                return null;
            }
            if (boundary.kind() == TransactionBoundary.Kind.END
                    && (watermark == null || boundary.source().lsn().isAfter(watermark))) {
                return PendingTransaction.of(boundary, r.offset(), name -> DataCollections.topicOf(name, settings.topics(),
                        fetched::tracks, () -> consumer.listTopics().keySet()));
            }
            passOver(r);
        }
        return null;
    }

    /** A BEGIN, or an END applied before: the position moves past it (an END's only once it is applied). */
    private void passOver(ConsumerRecord<byte[], byte[]> r) {
        assembler.positions().put(transactionsPartition, new Position(r.offset(), LogRecords.lsn(r), null));
    }

    private void finish(PendingTransaction tx) {
        assembler.finished(tx);
        assembler.positions().put(transactionsPartition, new Position(tx.offset(), tx.commitLsn(), null));
        watermark = tx.commitLsn();
        lastFinished = tx;
        uncommittedTransactions++;
    }

    private void commit() throws SQLException {
        long started = System.nanoTime();
        fence(true);
        writer.flush();
        Map<TopicPartition, Position> reached = assembler.positionsToSave();
        PositionStore.save(connection, reached);
        if (lastFinished != null) {
            WatermarkStore.save(connection, lastFinished.commitLsn(), lastFinished.commitTime());
        }
        connection.commit();
        fenced = false;
        counters.applied(assembler.takeApplied(), assembler.takeReplayed(), System.nanoTime() - started);
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        reached.forEach((tp, pos) -> offsets.put(tp, identity.offset(pos.offset() + 1)));
        consumer.commitAsync(offsets, null); // for monitoring only: positions live in the follower
        reached.forEach((tp, pos) -> setAside.forgetThrough(tp, pos.offset()));
        assembler.committed();
        uncommittedTransactions = 0;
        lastFinished = null;
        if (!batched) {
            // Past the record that failed: back to batched writes.
            batched = true;
            writer.close();
            writer = events.writer(connection, true);
            assembler.useWriter(writer, true);
        }
        fence(false); // the loop goes on applying what is fetched: in a fenced transaction
    }

    private boolean snapshotLoaded() throws SQLException {
        if (snapshot.isOpen()) {
            return true;
        }
        assembler.advance(null);
        if (!snapshot.tryOpen(consumer, fetched)) {
            return false;
        }
        if (assignment.hasUntracked(consumer, fetched)) {
            // A table whose topic appeared while the snapshot was read: it must be in the snapshot
            // too. Nothing is committed before the gate opens, so start over with it included.
            snapshot.reset(false);
            reposition();
            return false;
        }
        log.info("initial snapshot applied to follower {}; transactions follow in commit order", settings.follower());
        return true;
    }

    /**
     * Rolls back what is open and reads positions, orders, watermark and skips from the follower.
     *
     * @return false if Kafka has none of the log's topics: nothing to position
     */
    private boolean reposition() throws SQLException {
        closeConnection();
        events.reset();
        fetched.clear();
        current = null;
        atStop = false; // read again from the stored positions
        lastFinished = null;
        uncommittedTransactions = 0;
        connection = pool.getConnection();
        Set<TopicPartition> all = assignment.assignAll(consumer, fetched);
        nextTopicScan = System.nanoTime() + TOPIC_SCAN.toNanos();
        if (all.isEmpty()) {
            return false;
        }
        identity.refuseForeignCommits(consumer, all);
        // Claimed before the positions are read, in their transaction: waits for a batch another
        // applier still has in flight, then reads what it committed.
        owners.forgetAll();
        owners.claim(connection, all);
        Map<TopicPartition, Long> stored = PositionStore.load(connection, all);
        for (TopicPartition tp : all) {
            Long offset = stored.get(tp);
            if (offset == null) {
                consumer.seekToBeginning(Set.of(tp));
            } else {
                consumer.seek(tp, offset + 1);
            }
        }
        Optional<WatermarkStore.Watermark> w = WatermarkStore.load(connection);
        watermark = w.map(WatermarkStore.Watermark::commitLsn).orElse(null);
        snapshot.reset(watermark != null);
        stored.forEach(setAside::forgetThrough);
        for (PoisonEvent e : DeadLetterStore.ahead(connection)) {
            setAside.skip(e); // skipped with `replog resume --skip`, or before a crash: stays skipped
        }
        stoppedAtPoison = !StoppedTables.all(connection).isEmpty();
        writer = events.writer(connection, batched);
        assembler.reset(connection, writer, batched, setAside, PositionStore.loadAppliedOrders(connection, all), watermark);
        connection.commit(); // the claims; the rest was read
        fenced = false;
        consumer.resume(paused);
        paused.clear();
        log.info("applier positioned {} partition(s) from follower {}: watermark {}", all.size(), settings.follower(),
                watermark == null ? "none yet" : watermark);
        return true;
    }

    /** A table created on the leader gets a topic: positions are read again, with it included. */
    private void discoverTopics() throws SQLException {
        if (System.nanoTime() - nextTopicScan < 0) {
            return;
        }
        nextTopicScan = System.nanoTime() + TOPIC_SCAN.toNanos();
        if (assignment.hasUntracked(consumer, fetched) && (current == null || !currentTouched) && !assembler.hasUncommitted() && uncommittedTransactions == 0) {
            reposition();
        }
    }


    /**
     * Holds the fetched queues to {@code apply.buffer.max.bytes}, whatever the number of partitions
     * or the size of a transaction: a partition whose queue holds more than its share of the budget
     * pauses until it is down to half of it. A queue with nothing in it never pauses, so the partition
     * the next event must come from can always fetch it; a transaction larger than the budget is
     * streamed into the open follower transaction.
     */
    private void limitQueues() {
        long share = Math.max(1, settings.bufferBytes() / (fetched.partitions().size() + 1));
        for (TopicPartition tp : fetched.partitions()) {
            limitQueue(tp, fetched.queuedBytes(tp), share);
        }
        limitQueue(transactionsPartition, fetched.queuedBytes(transactionsPartition), share);
    }

    private void limitQueue(TopicPartition tp, long queuedBytes, long share) {
        if (queuedBytes > share && paused.add(tp)) {
            consumer.pause(Set.of(tp));
        } else if (queuedBytes <= share / 2 && paused.remove(tp)) {
            consumer.resume(Set.of(tp));
        }
    }

    private void handlePoison(PoisonEvent e) {
        counters.deadLettered(e);
        if (settings.onError() == ErrorPolicy.SKIP) {
            log.warn("skipped poison event at {}: {}; kept in dead-letter topic {} and replog.dead_letters",
                    e.where(), e.reason(), settings.topics().deadLetter());
            setAside.skip(e);
            return;
        }
        closeConnection();
        try (Connection c = pool.getConnection()) {
            StoppedTables.record(c, e);
            c.commit();
        } catch (SQLException ex) {
            throw new ApplyException("cannot record the stop at " + e.where() + " on follower " + settings.follower(), ex);
        }
        log.error("{} stopped at a poison event: {}; in transactional mode no later transaction is applied, on any "
                + "table. The event is in dead-letter topic {}; once fixed run `replog resume --table {}` (or add --skip)",
                e.where(), e.reason(), settings.topics().deadLetter(), e.table());
    }

    private void awaitResume() throws SQLException {
        Backoff.sleep(Duration.ofSeconds(1));
        try (Connection c = pool.getConnection()) {
            stoppedAtPoison = !StoppedTables.all(c).isEmpty();
            c.rollback();
        }
        if (!stoppedAtPoison) {
            log.info("no table is stopped any more: transactional apply goes on");
        }
    }

    /** Logs the change between "behind" (fetched records wait after a round) and "caught up". */
    private void reportCaughtUp(boolean idle) {
        boolean behind = !fetched.isEmpty() || current != null;
        if (idle && !behind && !caughtUp && watermark != null) {
            log.info("applier caught up: watermark {}", watermark);
            caughtUp = true;
        } else if (behind && caughtUp) {
            log.info("applier behind: applying transactions after watermark {}", watermark);
            caughtUp = false;
        }
    }

    private void closeConnection() {
        if (connection == null) {
            return;
        }
        try {
            if (writer != null) {
                writer.close();
            }
            connection.rollback();
            connection.close();
        } catch (SQLException ignored) {
            // A broken connection: the pool discards it and its transaction is gone anyway.
        }
        connection = null;
        fenced = false;
    }
}
