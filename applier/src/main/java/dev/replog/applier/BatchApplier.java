package dev.replog.applier;

import dev.replog.schemas.ChangeEvent;
import dev.replog.schemas.EnvelopeDecoder;
import dev.replog.schemas.EventFormatException;
import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.RowChange;
import dev.replog.schemas.SchemaChange;
import dev.replog.schemas.TransactionBoundary;
import dev.replog.schemas.Truncate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Applies one poll's records to the follower in one transaction, together with the new positions.
 * Partitions are independent: each one's records are applied in log order.
 */
final class BatchApplier {

    /** What a committed batch leaves behind: new positions, and partitions now waiting at a truncate. */
    record Outcome(Map<TopicPartition, Position> positions, Map<TopicPartition, TruncateBarrier.Id> waiting, int applied) {
    }

    private final EnvelopeDecoder decoder = new EnvelopeDecoder();
    private final FollowerTables tables = new FollowerTables();
    private final ToIntFunction<String> partitionCount;

    BatchApplier(ToIntFunction<String> partitionCount) {
        this.partitionCount = partitionCount;
    }

    /**
     * @param batched false applies change by change, so that an error names the exact record
     * @throws SQLException    the follower refused; the transaction is rolled back
     * @throws ApplyException  a record cannot be decoded or applied, with its location
     */
    Outcome apply(Connection c, ConsumerRecords<byte[], byte[]> records, boolean batched) throws SQLException {
        Map<TopicPartition, Position> positions = new HashMap<>();
        Map<TopicPartition, TruncateBarrier.Id> waiting = new HashMap<>();
        int applied = 0;
        try (FollowerWriter writer = new FollowerWriter(c, tables, batched)) {
            for (TopicPartition tp : records.partitions()) {
                for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                    Lsn lsn = headerLsn(r);
                    positions.put(tp, new Position(r.offset(), lsn));
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
                            throw new ApplyException("cannot apply " + where(r) + ": " + SqlErrors.describe(e), e);
                        }
                        throw e;
                    }
                    applied++;
                }
            }
            writer.flush();
            PositionStore.save(c, positions);
            c.commit();
            return new Outcome(positions, waiting, applied);
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
            throw new ApplyException("cannot decode " + where(r) + ": " + e.getMessage(), e);
        }
    }

    static String where(ConsumerRecord<byte[], byte[]> r) {
        Lsn lsn = headerLsn(r);
        return "topic " + r.topic() + " partition " + r.partition() + " offset " + r.offset()
                + (lsn == null ? "" : " (LSN " + lsn + ")");
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
