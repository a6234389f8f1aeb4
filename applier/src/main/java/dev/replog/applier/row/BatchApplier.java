package dev.replog.applier.row;

import dev.replog.applier.LogRecords;
import dev.replog.applier.SchemaExpressions;
import dev.replog.applier.deadletter.DeadLetterStore;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.applier.deadletter.SetAside;
import dev.replog.applier.follower.EventApplier;
import dev.replog.applier.follower.FollowerWriter;
import dev.replog.applier.follower.KeyMoves;
import dev.replog.applier.follower.PartitionWait;
import dev.replog.applier.follower.TruncateBarrier;
import dev.replog.applier.follower.UserTypePolicy;
import dev.replog.applier.state.PartitionOwners;
import dev.replog.applier.state.Position;
import dev.replog.applier.state.PositionStore;
import dev.replog.applier.state.StoppedTables;
import dev.replog.schemas.ChangeEvent;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.SchemaChange;
import dev.replog.schemas.SourceOrder;
import dev.replog.schemas.Truncate;
import dev.replog.schemas.compact.SchemaLookup;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Applies one poll's records to the follower in one transaction, together with the new positions.
 * Partitions are independent: each one's records are applied in log order.
 */
public final class BatchApplier {

    /**
     * What a committed batch leaves behind: new positions, partitions now waiting at a truncate, and
     * partitions of stopped tables (nothing of them applied after the poison event).
     */
    public record Outcome(Map<TopicPartition, Position> positions, Map<TopicPartition, Wait> waiting, int applied,
                   Set<TopicPartition> stopped, int replayed) {
    }

    /** A partition that stops in this poll: read again from offset {@code from} once {@code until} is released. */
    public record Wait(long from, PartitionWait until) {
    }

    private final EventApplier events;
    private final ToIntFunction<String> partitionCount;
    private final PartitionOwners owners;

    /**
     * @param schemaExpressions which expressions of the log's schema changes the follower runs
     * @param userTypes         what may be done for user types beyond a schema change's transaction
     * @param schemas           the log's schemas, for records of the compact format
     */
    public BatchApplier(ToIntFunction<String> partitionCount, PartitionOwners owners, SchemaExpressions schemaExpressions,
                        UserTypePolicy userTypes, SchemaLookup schemas) {
        this.partitionCount = partitionCount;
        this.owners = owners;
        this.events = new EventApplier(schemaExpressions, userTypes, schemas);
    }

    /**
     * @param batched  false applies change by change, so that an error names the exact record
     * @param setAside poison events already dead-lettered: skipped ones are recorded instead of
     *                 applied, stopped tables are recorded and none of their records applied
     * @param lastApplied source order of the last change applied per partition: a change not after
     *                    it was applied before (a restarted capture wrote it again) and is skipped
     * @throws SQLException          the follower refused; the transaction is rolled back
     * @throws PoisonEventException  a record cannot be decoded or applied, with its location
     * @throws PartitionOwners.FencedException another applier claimed one of the poll's partitions
     *                               since this one did; nothing was written
     */
    public Outcome apply(Connection c, ConsumerRecords<byte[], byte[]> records, boolean batched, SetAside setAside,
                  Map<TopicPartition, SourceOrder> lastApplied) throws SQLException {
        Map<TopicPartition, Position> positions = new HashMap<>();
        Map<TopicPartition, Lsn> watermarks = new HashMap<>();
        Map<TopicPartition, Wait> waiting = new HashMap<>();
        Set<TopicPartition> stopped = new HashSet<>();
        int applied = 0;
        int replayed = 0;
        try (FollowerWriter writer = events.writer(c, batched)) {
            // First, before anything is written: a claimer waits for this transaction, and a partition
            // claimed since this applier took it is not written by it.
            owners.verify(c, records.partitions());
            for (PoisonEvent stop : setAside.stops()) {
                StoppedTables.record(c, stop);
            }
            // Read in this transaction: another applier instance of the group may have stopped a table.
            Set<String> stoppedTopics = StoppedTables.all(c).keySet();
            for (TopicPartition tp : records.partitions()) {
                // A stopped table's records are not applied, except those before the poison event just found.
                long end = Long.MAX_VALUE;
                if (stoppedTopics.contains(tp.topic())) {
                    stopped.add(tp);
                    end = setAside.stoppedAt(tp).orElse(Long.MIN_VALUE);
                }
                SourceOrder last = lastApplied.get(tp);
                for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                    if (r.offset() >= end) {
                        break;
                    }
                    Lsn lsn = LogRecords.lsn(r);
                    SourceOrder order = LogRecords.order(r);
                    if (order != null && last != null && order.compareTo(last) <= 0) {
                        positions.put(tp, new Position(r.offset(), lsn, last));
                        replayed++;
                        continue;
                    }
                    if (LogRecords.isWatermark(r)) {
                        // Not a barrier: it says how far this partition is complete, which it now is on the follower.
                        positions.put(tp, new Position(r.offset(), lsn, last));
                        Lsn w = LogRecords.watermark(r);
                        if (w != null) {
                            watermarks.merge(tp, w, (a, b) -> b.isAfter(a) ? b : a);
                        }
                        continue;
                    }
                    if (setAside.skipped(r) == null && KeyMoves.mustWait(c, r)) {
                        waiting.put(tp, new Wait(r.offset(), KeyMoves.HandOver.takenBy(r)));
                        break; // a key move's create: its delete, in another partition, hands the row over first
                    }
                    if (order != null && r.value() != null) {
                        last = order;
                    }
                    positions.put(tp, new Position(r.offset(), lsn, last));
                    PoisonEvent skipped = setAside.skipped(r);
                    if (skipped != null) {
                        DeadLetterStore.insert(c, skipped);
                        KeyMoves.skipped(c, r);
                        continue;
                    }
                    if (r.value() == null) {
                        continue; // tombstone after a delete: for log compaction, nothing to apply
                    }
                    ChangeEvent event = events.decode(r);
                    if (!applyEvent(c, writer, tp, r, event, batched)) {
                        waiting.put(tp, new Wait(r.offset() + 1, new TruncateBarrier.Id(tp.topic(), event.source().lsn())));
                        break;
                    }
                    applied++;
                }
            }
            writer.flush();
            PositionStore.save(c, positions);
            PositionStore.saveWatermarks(c, watermarks);
            c.commit();
            return new Outcome(positions, waiting, applied, stopped, replayed);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            events.reset();
            throw e;
        }
    }

    /** @return false if the partition must stop here and wait for the other copies of a truncate */
    private boolean applyEvent(Connection c, FollowerWriter writer, TopicPartition tp, ConsumerRecord<byte[], byte[]> r,
                               ChangeEvent event, boolean batched) throws SQLException {
        if (event instanceof Truncate || event instanceof SchemaChange) {
            // One copy per partition, applied once every partition got there: no partition writes rows
            // of the new shape before the table has it, nor rows that a truncate would then wipe.
            writer.flush();
            int partitions = partitionCount.applyAsInt(tp.topic());
            if (partitions > 1 && !TruncateBarrier.arrive(c, tp, event.source().lsn(), partitions)) {
                return false;
            }
        }
        events.apply(c, writer, r, event, batched);
        return true;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is broken; the pool discards it and the transaction is gone anyway.
        }
    }
}
