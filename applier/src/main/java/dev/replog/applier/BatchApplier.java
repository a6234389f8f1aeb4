package dev.replog.applier;

import dev.replog.schemas.ChangeEvent;
import dev.replog.schemas.EnvelopeDecoder;
import dev.replog.schemas.EventFormatException;
import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.RowChange;
import dev.replog.schemas.SchemaChange;
import dev.replog.schemas.SourceOrder;
import dev.replog.schemas.TransactionBoundary;
import dev.replog.schemas.Truncate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Applies one poll's records to the follower in one transaction, together with the new positions.
 * Partitions are independent: each one's records are applied in log order.
 */
final class BatchApplier {

    /**
     * What a committed batch leaves behind: new positions, partitions now waiting at a truncate, and
     * partitions of stopped tables (nothing of them applied after the poison event).
     */
    record Outcome(Map<TopicPartition, Position> positions, Map<TopicPartition, TruncateBarrier.Id> waiting, int applied,
                   Set<TopicPartition> stopped, int replayed) {
    }

    private final EnvelopeDecoder decoder = new EnvelopeDecoder();
    private final FollowerTables tables = new FollowerTables();
    private final ToIntFunction<String> partitionCount;

    BatchApplier(ToIntFunction<String> partitionCount) {
        this.partitionCount = partitionCount;
    }

    /**
     * @param batched  false applies change by change, so that an error names the exact record
     * @param setAside poison events already dead-lettered: skipped ones are recorded instead of
     *                 applied, stopped tables are recorded and none of their records applied
     * @param lastApplied source order of the last change applied per partition: a change not after
     *                    it was applied before (a restarted capture wrote it again) and is skipped
     * @throws SQLException          the follower refused; the transaction is rolled back
     * @throws PoisonEventException  a record cannot be decoded or applied, with its location
     */
    Outcome apply(Connection c, ConsumerRecords<byte[], byte[]> records, boolean batched, SetAside setAside,
                  Map<TopicPartition, SourceOrder> lastApplied) throws SQLException {
        Map<TopicPartition, Position> positions = new HashMap<>();
        Map<TopicPartition, TruncateBarrier.Id> waiting = new HashMap<>();
        Set<TopicPartition> stopped = new HashSet<>();
        int applied = 0;
        int replayed = 0;
        try (FollowerWriter writer = new FollowerWriter(c, tables, batched)) {
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
                    Lsn lsn = headerLsn(r);
                    SourceOrder order = headerOrder(r);
                    if (order != null && last != null && order.compareTo(last) <= 0) {
                        positions.put(tp, new Position(r.offset(), lsn, last));
                        replayed++;
                        continue;
                    }
                    if (order != null && r.value() != null) {
                        last = order;
                    }
                    positions.put(tp, new Position(r.offset(), lsn, last));
                    PoisonEvent skipped = setAside.skipped(r);
                    if (skipped != null) {
                        DeadLetterStore.insert(c, skipped);
                        continue;
                    }
                    if (r.value() == null) {
                        continue; // tombstone after a delete: for log compaction, nothing to apply
                    }
                    ChangeEvent event = decode(r);
                    try {
                        if (!applyEvent(c, writer, tp, event)) {
                            waiting.put(tp, new TruncateBarrier.Id(tp.topic(), event.source().lsn()));
                            break;
                        }
                    } catch (SQLException e) {
                        if (!batched && !SqlErrors.isRetriable(e)) {
                            throw poison(r, PoisonEvent.APPLY, sqlState(e), SqlErrors.describe(e), tableOf(event, r), e);
                        }
                        throw e;
                    } catch (org.apache.kafka.common.KafkaException e) {
                        throw e; // Kafka trouble (e.g. reading a partition count), not this event's fault
                    } catch (RuntimeException e) {
                        // Not the follower's refusal but this event's (e.g. a value it cannot take): still one record.
                        throw poison(r, PoisonEvent.APPLY, null, e.toString(), tableOf(event, r), e);
                    }
                    applied++;
                }
            }
            writer.flush();
            PositionStore.save(c, positions);
            c.commit();
            return new Outcome(positions, waiting, applied, stopped, replayed);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            tables.reset();
            throw e;
        }
    }

    /** @return false if the partition must stop here and wait for the other copies of a truncate */
    private boolean applyEvent(Connection c, FollowerWriter writer, TopicPartition tp, ChangeEvent event) throws SQLException {
        // Java 17 has no pattern switch; the sealed ChangeEvent keeps this list complete.
        if (event instanceof RowChange change) {
            writer.apply(change);
        } else if (event instanceof Truncate truncate) {
            writer.flush();
            int partitions = partitionCount.applyAsInt(tp.topic());
            if (partitions > 1 && !TruncateBarrier.arrive(c, tp, truncate.source().lsn(), partitions)) {
                return false;
            }
            writer.truncate(truncate.table());
        } else if (event instanceof SchemaChange schemaChange) {
            // Like a truncate: one copy per partition, applied once every partition got there, so no
            // partition writes rows of the new shape before the table has it, nor old rows after.
            writer.flush();
            int partitions = partitionCount.applyAsInt(tp.topic());
            if (partitions > 1 && !TruncateBarrier.arrive(c, tp, schemaChange.source().lsn(), partitions)) {
                return false;
            }
            SchemaChangeApplier.apply(c, schemaChange);
            tables.forget(schemaChange.table());
        } else if (!(event instanceof TransactionBoundary)) {
            // Boundaries live on the transactions topic, which this applier does not read.
            throw new IllegalStateException("unknown event kind " + event.getClass().getSimpleName());
        }
        return true;
    }

    private ChangeEvent decode(ConsumerRecord<byte[], byte[]> r) {
        try {
            return decoder.decode(r.key(), r.value());
        } catch (EventFormatException e) {
            throw poison(r, PoisonEvent.DECODE, null, e.getMessage(), PoisonEvent.tableOfTopic(r.topic()), e);
        }
    }

    private static PoisonEventException poison(ConsumerRecord<byte[], byte[]> r, String kind, String sqlState,
                                               String error, String table, Exception cause) {
        PoisonEvent e = new PoisonEvent(r.topic(), r.partition(), r.offset(), headerLsn(r), table, kind, sqlState,
                error, r.key(), r.value(), Instant.now());
        return new PoisonEventException("cannot " + kind + " " + where(r) + ": " + error, e, cause);
    }

    private static String tableOf(ChangeEvent event, ConsumerRecord<byte[], byte[]> r) {
        if (event instanceof RowChange change) {
            return change.table().toString();
        }
        if (event instanceof Truncate truncate) {
            return truncate.table().toString();
        }
        return PoisonEvent.tableOfTopic(r.topic());
    }

    private static String sqlState(SQLException e) {
        SQLException next = e.getNextException();
        return next != null && next.getSQLState() != null ? next.getSQLState() : e.getSQLState();
    }

    static String where(ConsumerRecord<byte[], byte[]> r) {
        Lsn lsn = headerLsn(r);
        return "topic " + r.topic() + " partition " + r.partition() + " offset " + r.offset()
                + (lsn == null ? "" : " (LSN " + lsn + ")");
    }

    /**
     * Only streamed changes, which carry their place in a transaction, have an order to compare:
     * snapshot rows (all at the snapshot's LSN) and schema changes are idempotent and always applied.
     */
    private static SourceOrder headerOrder(ConsumerRecord<byte[], byte[]> r) {
        if (header(r, LogHeaders.TX_ORDER) == null) {
            return null;
        }
        try {
            return SourceOrder.fromHeaders(header(r, LogHeaders.PREVIOUS_COMMIT_LSN), header(r, LogHeaders.LSN),
                    header(r, LogHeaders.TX_ORDER));
        } catch (IllegalArgumentException e) {
            return null; // malformed headers: nothing to compare, the change is applied (idempotently)
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Lsn headerLsn(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(LogHeaders.LSN);
        if (h == null) {
            return null;
        }
        try {
            return Lsn.parse(new String(h.value(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is broken; the pool discards it and the transaction is gone anyway.
        }
    }
}
