package dev.replog.applier.follower;

import dev.replog.applier.LogRecords;
import dev.replog.applier.SchemaExpressions;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.applier.deadletter.PoisonEventException;
import dev.replog.schemas.ChangeEvent;
import dev.replog.schemas.EventFormatException;
import dev.replog.schemas.RowChange;
import dev.replog.schemas.SchemaChange;
import dev.replog.schemas.Truncate;
import dev.replog.schemas.Watermark;
import dev.replog.schemas.compact.LogDecoder;
import dev.replog.schemas.compact.SchemaLookup;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Decodes a table-topic record and applies its event to the follower, in the caller's transaction.
 * When the fault is the record's own (it does not decode, or the follower refuses it for good), the
 * failure is a {@link PoisonEventException} naming topic, partition, offset, LSN and table. Ordering
 * a truncate or schema change against the table's other partitions is the caller's job.
 */
public final class EventApplier {

    private final LogDecoder decoder;
    private final FollowerTables tables = new FollowerTables();
    private final SchemaExpressions schemaExpressions;
    private final UserTypePolicy userTypes;

    /**
     * @param schemaExpressions which expressions of the log's schema changes the follower runs
     * @param userTypes         what may be done for user types beyond a schema change's transaction
     * @param schemas           the log's schemas, for records of the compact format
     */
    public EventApplier(SchemaExpressions schemaExpressions, UserTypePolicy userTypes, SchemaLookup schemas) {
        this.decoder = new LogDecoder(schemas);
        this.schemaExpressions = schemaExpressions;
        this.userTypes = userTypes;
    }

    /** @param batched false sends every change on its own, so that an error names one record */
    public FollowerWriter writer(Connection c, boolean batched) {
        return new FollowerWriter(c, tables, batched);
    }

    /** Forgets what was learnt about follower tables: the transaction that learnt it was rolled back. */
    public void reset() {
        tables.reset();
    }

    public ChangeEvent decode(ConsumerRecord<byte[], byte[]> r) {
        try {
            return decoder.decode(r.key(), r.value());
        } catch (EventFormatException e) {
            throw poison(r, PoisonEvent.DECODE, null, e.getMessage(), PoisonEvent.tableOfTopic(r.topic()), e);
        }
    }

    public void apply(Connection c, FollowerWriter writer, ConsumerRecord<byte[], byte[]> r, ChangeEvent event, boolean batched)
            throws SQLException {
        try {
            // Java 17 has no pattern switch; the sealed ChangeEvent keeps this list complete.
            if (event instanceof RowChange change && KeyMoves.isMove(r)) {
                writer.flush();
                KeyMoves.apply(c, r, change, tables, writer);
            } else if (event instanceof RowChange change) {
                writer.apply(change);
            } else if (event instanceof Truncate truncate) {
                writer.truncate(truncate.table());
            } else if (event instanceof SchemaChange schemaChange) {
                writer.flush();
                SchemaChangeApplier.apply(c, schemaChange, r.topic(), schemaExpressions, userTypes);
                tables.forget(schemaChange.table());
                if (schemaChange.source().snapshot() && !schemaChange.isDrop()) {
                    // Capture publishes a table's definition before its first snapshot row. A snapshot
                    // that Debezium started over (capture killed, Kafka down) reads the table anew at a
                    // later point: rows of the first attempt deleted on the leader since would stay here
                    // for good, as no delete is streamed for them. So a snapshot replaces the rows.
                    writer.truncate(schemaChange.table());
                }
            } else if (event instanceof Watermark) {
                // Nothing to apply; the appliers tell one by its header before decoding (LogRecords.isWatermark).
            } else {
                throw new IllegalStateException("a " + event.getClass().getSimpleName() + " on table topic " + r.topic());
            }
        } catch (SQLException e) {
            if (!batched && !SqlErrors.isRetriable(e)) {
                throw poison(r, PoisonEvent.APPLY, sqlState(e), SqlErrors.describe(e), tableOf(event, r), e);
            }
            throw e;
        } catch (PoisonEventException | org.apache.kafka.common.KafkaException e) {
            throw e; // already named, or Kafka trouble (e.g. reading a partition count): not this event's fault
        } catch (RuntimeException e) {
            // Not the follower's refusal but this event's (e.g. a value it cannot take): still one record.
            throw poison(r, PoisonEvent.APPLY, null, e.toString(), tableOf(event, r), e);
        }
    }

    static PoisonEventException poison(ConsumerRecord<byte[], byte[]> r, String kind, String sqlState,
                                       String error, String table, Exception cause) {
        PoisonEvent e = new PoisonEvent(r.topic(), r.partition(), r.offset(), LogRecords.lsn(r), table, kind, sqlState,
                error, r.key(), r.value(), Instant.now());
        return new PoisonEventException("cannot " + kind + " " + LogRecords.where(r) + ": " + error, e, cause);
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
}
