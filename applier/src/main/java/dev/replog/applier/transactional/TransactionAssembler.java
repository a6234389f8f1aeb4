package dev.replog.applier.transactional;

import dev.replog.applier.LogRecords;
import dev.replog.applier.deadletter.DeadLetterStore;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.applier.deadletter.SetAside;
import dev.replog.applier.follower.EventApplier;
import dev.replog.applier.follower.FollowerWriter;
import dev.replog.applier.follower.KeyMoves;
import dev.replog.applier.state.Position;
import dev.replog.schemas.ChangeEvent;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.SourceOrder;
import dev.replog.schemas.Truncate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gathers one leader transaction's events from the heads of the table partitions and applies them
 * into the follower transaction that is open. Each partition holds its events in commit order, so
 * a partition's head either belongs to the transaction being gathered, or was applied before (a
 * replay, skipped), or belongs to a later transaction (the partition has nothing more for this one).
 * A truncate or schema change is copied into every partition of its table; it is applied once, when
 * every partition has it at its head. Snapshot rows and Replog's own untransactional records come
 * before any transaction and are applied as they reach the head. Capture's watermarks, also in every
 * partition, are passed over wherever they are: the transactions topic orders this applier.
 */
public final class TransactionAssembler {

    private static final Logger log = LoggerFactory.getLogger(TransactionAssembler.class);
    /** Transactions recently completed: their tombstones may still follow their counted events. */
    private static final int FINISHED_REMEMBERED = 10_000;

    private final FetchedLog fetched;
    private final EventApplier events;
    private final String heartbeatTopic;
    private final Map<TopicPartition, SourceOrder> lastApplied = new HashMap<>();
    private final Map<TopicPartition, Position> positions = new HashMap<>();
    /** Positions past watermarks alone: saved with the next commit, never a reason for one. */
    private final Map<TopicPartition, Position> watermarkPositions = new HashMap<>();
    private final Set<Long> finished = new LinkedHashSet<>();
    private Lsn watermark;
    private Connection connection;
    private FollowerWriter writer;
    private boolean batched;
    private SetAside setAside;
    private int applied;
    private int replayed;
    private Set<String> writtenTopics;

    TransactionAssembler(FetchedLog fetched, EventApplier events, String heartbeatTopic) {
        this.fetched = fetched;
        this.events = events;
        this.heartbeatTopic = heartbeatTopic;
    }

    /** Starts over on a fresh follower transaction, from the orders and the watermark stored with the positions. */
    void reset(Connection c, FollowerWriter w, boolean batchedWrites, SetAside aside, Map<TopicPartition, SourceOrder> stored,
               Lsn appliedUpTo) {
        watermark = appliedUpTo;
        connection = c;
        writer = w;
        batched = batchedWrites;
        setAside = aside;
        lastApplied.clear();
        lastApplied.putAll(stored);
        positions.clear();
        watermarkPositions.clear();
        finished.clear();
        applied = 0;
        replayed = 0;
    }

    void useWriter(FollowerWriter w, boolean batchedWrites) {
        writer = w;
        batched = batchedWrites;
    }

    /**
     * Applies what the fetched records hold of {@code tx} (null: only untransactional records).
     *
     * @return true once every event of {@code tx} is applied
     */
    boolean advance(PendingTransaction tx) throws SQLException {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (TopicPartition tp : fetched.partitions()) {
                moved |= drain(tp, tx);
            }
            moved |= releaseBarriers(tx);
        }
        return tx != null && isComplete(tx);
    }

    void finished(PendingTransaction tx) {
        watermark = tx.commitLsn();
        finished.add(tx.xid());
        if (finished.size() > FINISHED_REMEMBERED) {
            finished.remove(finished.iterator().next());
        }
    }

    private boolean drain(TopicPartition tp, PendingTransaction tx) throws SQLException {
        boolean moved = false;
        for (ConsumerRecord<byte[], byte[]> r = fetched.head(tp); r != null; r = fetched.head(tp)) {
            if (LogRecords.isWatermark(r)) {
                fetched.pop(tp);
                watermarkPositions.put(tp, new Position(r.offset(), LogRecords.lsn(r), lastApplied.get(tp)));
                moved = true;
                continue;
            }
            if (isReplay(tp, r)) {
                consume(tp, r);
                replayed++;
                moved = true;
                continue;
            }
            if (!belongs(r, tx)) {
                break; // a later transaction's: this partition has nothing more for tx
            }
            if (isBarrier(r)) {
                break; // released by releaseBarriers once every partition of the table has its copy
            }
            if (setAside.skipped(r) == null && KeyMoves.mustWait(connection, r)) {
                break; // a key move's create: its delete, in another partition, hands the row over first
            }
            if (r.value() != null) {
                noteStraggler(r, tx);
                applyRecord(r);
                if (tx != null && Long.valueOf(tx.xid()).equals(LogRecords.txId(r))) {
                    tx.counted(r.topic());
                }
            }
            consume(tp, r);
            moved = true;
        }
        return moved;
    }

    /**
     * Writes only these topics' events to the follower; the others are gathered and counted as
     * usual but not applied (a rebuild of some tables of a transactional follower). Null: all.
     */
    void writeOnly(Set<String> topics) {
        this.writtenTopics = topics == null ? null : Set.copyOf(topics);
    }

    private boolean writes(String topic) {
        return writtenTopics == null || writtenTopics.contains(topic);
    }

    private void applyRecord(ConsumerRecord<byte[], byte[]> r) throws SQLException {
        if (!writes(r.topic())) {
            return;
        }
        PoisonEvent skipped = setAside.skipped(r);
        if (skipped != null) {
            DeadLetterStore.insert(connection, skipped);
            KeyMoves.skipped(connection, r);
        } else if (!r.topic().equals(heartbeatTopic)) {
            // Heartbeat rows only move the watermark; the follower has no table for them.
            events.apply(connection, writer, r, events.decode(r), batched);
            applied++;
        }
    }

    private boolean releaseBarriers(PendingTransaction tx) throws SQLException {
        boolean moved = false;
        for (String topic : fetched.topics()) {
            List<TopicPartition> parts = fetched.partitionsOf(topic);
            ConsumerRecord<byte[], byte[]> first = fetched.head(parts.get(0));
            if (first == null || !isBarrier(first) || !belongs(first, tx)) {
                continue;
            }
            boolean everyCopyArrived = parts.stream().map(fetched::head)
                    .allMatch(h -> h != null && isBarrier(h) && Arrays.equals(h.value(), first.value()));
            if (!everyCopyArrived) {
                continue;
            }
            ChangeEvent event = events.decode(first);
            if (!writes(topic)) {
                // gathered and counted, not written
            } else if (setAside.skipped(first) != null) {
                DeadLetterStore.insert(connection, setAside.skipped(first));
            } else {
                writer.flush();
                events.apply(connection, writer, first, event, batched);
                applied++;
            }
            if (event instanceof Truncate && tx != null && Long.valueOf(tx.xid()).equals(LogRecords.txId(first))) {
                tx.counted(topic); // the leader counted one truncate, whatever the number of copies
            }
            for (TopicPartition tp : parts) {
                consume(tp, fetched.head(tp));
            }
            moved = true;
        }
        return moved;
    }

    /**
     * Every topic delivered what the END announced; or, for a topic that delivered less, each of its
     * partitions already shows a later transaction's event, so nothing more can come.
     */
    private boolean isComplete(PendingTransaction tx) {
        for (String topic : tx.expected().keySet()) {
            if (tx.hasAll(topic)) {
                continue;
            }
            List<TopicPartition> parts = fetched.partitionsOf(topic);
            boolean exhausted = !parts.isEmpty() && parts.stream().map(fetched::head)
                    .allMatch(h -> h != null && !belongs(h, tx));
            if (!exhausted) {
                return false;
            }
            log.warn("transaction {} (commit LSN {}): {} event(s) of topic {} announced but not found in the log; "
                    + "applied with what the log holds", tx.xid(), tx.commitLsn(), tx.missing(topic), topic);
        }
        return true;
    }

    /**
     * Untransactional records belong to whatever is gathered; so do late tombstones of finished
     * transactions, and schema changes: a schema change is ordered by its copies alone (released
     * when every partition has it at its head, so after every row of the old shape), and the
     * transaction id it carries is not reliable (a restarted capture publishes the definitions again
     * with the id Debezium restored, not the one of the row that follows).
     */
    private boolean belongs(ConsumerRecord<byte[], byte[]> r, PendingTransaction tx) {
        if (isBarrier(r) && LogRecords.order(r) == null) {
            return true;
        }
        Long xid = LogRecords.txId(r);
        return xid == null || (tx != null && xid == tx.xid()) || finished.contains(xid);
    }

    private void noteStraggler(ConsumerRecord<byte[], byte[]> r, PendingTransaction tx) {
        Long xid = LogRecords.txId(r);
        if (xid != null && (tx == null || xid != tx.xid())) {
            log.warn("event {} of transaction {} arrived after that transaction was complete by its END's counts; "
                    + "applied now", LogRecords.where(r), xid);
        }
    }

    /**
     * Applied before: its transaction follows one committed before the watermark (so it is at or
     * below the watermark itself), or, by source order, it is not after the last change applied on
     * this partition. The first rule also covers records without an order, such as the schema
     * changes a restarted capture publishes again before a transaction the follower already has.
     */
    private boolean isReplay(TopicPartition tp, ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return false;
        }
        Lsn previousCommit = LogRecords.previousCommit(r);
        if (watermark != null && previousCommit != null && LogRecords.txId(r) != null && previousCommit.compareTo(watermark) < 0) {
            return true;
        }
        SourceOrder last = lastApplied.get(tp);
        SourceOrder order = LogRecords.order(r);
        return last != null && order != null && order.compareTo(last) <= 0;
    }

    /** A copy of a truncate or schema change: the only records with a value and no key but watermarks. */
    private static boolean isBarrier(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null && r.value() != null && !LogRecords.isWatermark(r);
    }

    private void consume(TopicPartition tp, ConsumerRecord<byte[], byte[]> r) {
        fetched.pop(tp);
        SourceOrder order = LogRecords.order(r);
        SourceOrder last = lastApplied.get(tp);
        if (order != null && r.value() != null && (last == null || order.compareTo(last) > 0)) {
            lastApplied.put(tp, order);
            last = order;
        }
        positions.put(tp, new Position(r.offset(), LogRecords.lsn(r), last));
    }

    /** Positions reached since the last commit, where the caller also notes the transactions topic's. */
    Map<TopicPartition, Position> positions() {
        return positions;
    }

    /** What to save at a commit: {@link #positions()}, moved past the watermarks passed since. */
    Map<TopicPartition, Position> positionsToSave() {
        Map<TopicPartition, Position> out = new HashMap<>(positions);
        watermarkPositions.forEach((tp, w) -> out.merge(tp, w, (p, q) -> q.offset() > p.offset() ? q : p));
        return out;
    }

    /** The positions were committed. */
    void committed() {
        positions.clear();
        watermarkPositions.clear();
    }

    /** Events applied since the last call. */
    int takeApplied() {
        int n = applied;
        applied = 0;
        return n;
    }

    int takeReplayed() {
        int n = replayed;
        replayed = 0;
        return n;
    }

    /** Whether anything but watermarks was consumed since the last commit. */
    boolean hasUncommitted() {
        return !positions.isEmpty();
    }
}
