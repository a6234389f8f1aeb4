package dev.replog.serve.store;

import dev.replog.schemas.ChangeEvent;
import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.Operation;
import dev.replog.schemas.RowChange;
import dev.replog.schemas.SchemaChange;
import dev.replog.schemas.SchemaChangeFormat;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableId;
import dev.replog.schemas.Truncate;
import dev.replog.schemas.Watermark;
import dev.replog.schemas.compact.LogDecoder;
import dev.replog.schemas.compact.SchemaLookup;
import dev.replog.serve.routing.KeyEncodings;
import dev.replog.serve.routing.KeyValues;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies one partition of a table topic to its replica store: rows put and deleted by primary key,
 * a truncate (one copy per partition) empties the partition, a schema change migrates the stored
 * rows, and the partition's {@link PartitionProgress} moves with the log: by the commit LSN before
 * each transaction's events ({@code replog.prev.commit.lsn}) and by capture's watermarks, which reach
 * every partition, written or not. An event it cannot read stops the partition (its progress says
 * why) rather than be dropped: reads of that partition then refuse, and nothing after it is applied.
 */
final class ReplicaProcessor implements Processor<byte[], byte[], Void, Void> {

    private static final Logger log = LoggerFactory.getLogger(ReplicaProcessor.class);
    /** Progress is written at least this often in records even while the LSN stands still (offsets for lag). */
    private static final int PROGRESS_EVERY_RECORDS = 1_000;
    /** Keys held at once while a truncate or schema change goes through a partition's rows. */
    private static final int ROW_CHUNK = 10_000;

    private final TableId table;
    private final String storeName;
    private final KeyEncodings keyEncodings;
    private final LogDecoder decoder;
    private KeyValueStore<Bytes, byte[]> store;
    private ProcessorContext<Void, Void> context;
    private PartitionProgress progress;
    private boolean progressDirty;
    private long recordsSinceWrite;
    /** The row deleted by the first half of a primary-key update, for the second half in this partition. */
    private Map<String, String> movedRow;
    private Bytes movedTo;

    /** @param schemas the schemas topic, for records in the compact format (either format is read, by its first byte) */
    ReplicaProcessor(TableId table, String storeName, KeyEncodings keyEncodings, SchemaLookup schemas) {
        this.table = table;
        this.decoder = new LogDecoder(schemas);
        this.keyEncodings = keyEncodings;
        this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.progress = PartitionProgress.fromBytes(store.get(StoreKeys.PROGRESS));
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> writeProgressIfDirty());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
        if (progress.stopped()) {
            return; // nothing after a poison event is applied; the operator rebuilds the replica
        }
        try {
            String watermark = header(record.headers(), LogHeaders.WATERMARK);
            if (watermark != null) {
                advance(progress.advancedTo(Lsn.parse(watermark), record.timestamp(), offset, false));
            } else if (record.value() != null) {
                ChangeEvent event = decoder.decode(record.key(), record.value());
                String previousCommit = header(record.headers(), LogHeaders.PREVIOUS_COMMIT_LSN);
                // The progress goes first: a reader that sees this change must also see that the store
                // now holds a transaction its applied LSN does not cover (PartitionProgress.changesAfter).
                advance(progress.advancedTo(previousCommit == null ? null : Lsn.parse(previousCommit),
                        event.source().commitTime().toEpochMilli(), offset, true));
                apply(event, record.headers(), record.key());
            } else {
                advance(progress.advancedTo(null, 0, offset, false));
            }
        } catch (RuntimeException e) {
            String where = "topic " + context.recordMetadata().map(RecordMetadata::topic).orElse("?") + " partition "
                    + context.recordMetadata().map(RecordMetadata::partition).orElse(-1) + " offset " + offset;
            log.error("serve stopped table {} at {}: {} (reads of this partition refuse until the replica is rebuilt)",
                    table, where, e.getMessage());
            progress = progress.stoppedAt(offset, "cannot apply " + where + ": " + e.getMessage());
            store.put(StoreKeys.PROGRESS, progress.toBytes());
        }
    }

    /**
     * Takes the next progress; writes it to the store at once when what readers rely on changed (the
     * applied LSN, or the changes held after it), else at least every {@value #PROGRESS_EVERY_RECORDS}
     * records and every second (offsets and commit times, for lag).
     */
    private void advance(PartitionProgress next) {
        boolean coverageChanged = next.lsn().isAfter(progress.lsn())
                || !java.util.Objects.equals(next.changesAfter(), progress.changesAfter());
        progress = next;
        progressDirty = true;
        if (coverageChanged || ++recordsSinceWrite >= PROGRESS_EVERY_RECORDS) {
            writeProgressIfDirty();
        }
    }

    private void writeProgressIfDirty() {
        if (progressDirty) {
            store.put(StoreKeys.PROGRESS, progress.toBytes());
            progressDirty = false;
            recordsSinceWrite = 0;
        }
    }

    private void apply(ChangeEvent event, Headers headers, byte[] recordKey) {
        if (event instanceof RowChange change) {
            applyRow(change, headers, recordKey);
        } else if (event instanceof Truncate) {
            clearRows();
        } else if (event instanceof SchemaChange change) {
            applySchemaChange(change);
        } else if (!(event instanceof Watermark)) { // a watermark moves the progress only (see process)
            throw new IllegalStateException("a " + event.getClass().getSimpleName() + " in the topic of " + table);
        }
    }

    private void applyRow(RowChange change, Headers headers, byte[] recordKey) {
        List<String> keyValues = KeyValues.of(change);
        Bytes key = StoreKeys.row(keyValues);
        if (!keyEncodings.knows(table, recordKey)) {
            keyEncodings.learn(table, recordKey, keyValues);
        }
        if (change.op() == Operation.DELETE) {
            byte[] old = store.delete(key);
            if (header(headers, LogHeaders.KEY_NEW) != null && old != null) {
                movedRow = StoredRow.read(old);
                movedTo = null;
            }
            return;
        }
        Map<String, String> after = change.after().values();
        if (after.size() < change.schema().columns().size()) {
            // Unchanged TOASTed values are not in the log: they keep the stored row's (or, for the new
            // key of a primary-key update, the old key's row's, when it lived in this partition).
            byte[] old = store.get(key);
            Map<String, String> base = old != null ? StoredRow.read(old)
                    : header(headers, LogHeaders.KEY_OLD) != null && movedRow != null ? movedRow : Map.of();
            Map<String, String> merged = new LinkedHashMap<>();
            for (var c : change.schema().columns()) {
                if (after.containsKey(c.name())) {
                    merged.put(c.name(), after.get(c.name()));
                } else if (base.containsKey(c.name())) {
                    merged.put(c.name(), base.get(c.name()));
                }
            }
            after = merged;
        }
        movedRow = null;
        store.put(key, StoredRow.write(after));
    }

    private void applySchemaChange(SchemaChange change) {
        byte[] stored = store.get(StoreKeys.DEFINITION);
        TableDefinition previous = stored == null ? null
                : SchemaChangeFormat.fromJson(new String(stored, StandardCharsets.UTF_8), table);
        if (change.isDrop()) {
            clearRows();
            store.delete(StoreKeys.DEFINITION);
            return;
        }
        if (change.source().snapshot()) {
            // A snapshot (re)starting from scratch replaces the table's rows, as on SQL followers.
            clearRows();
        } else if (previous != null && previous.leaderOid() != 0 && change.definition().leaderOid() != 0
                && previous.leaderOid() != change.definition().leaderOid()) {
            clearRows(); // dropped and created again under the same name: a new table
        } else if (previous != null) {
            RowMigration migration = RowMigration.between(previous, change.definition());
            if (!migration.isIdentity()) {
                migrateRows(migration);
            }
        }
        store.put(StoreKeys.DEFINITION, SchemaChangeFormat.toJson(change.definition()).getBytes(StandardCharsets.UTF_8));
    }

    private void migrateRows(RowMigration migration) {
        forEachRowChunk(keys -> {
            for (Bytes k : keys) {
                store.put(k, StoredRow.write(migration.apply(StoredRow.read(store.get(k)))));
            }
        });
    }

    private void clearRows() {
        forEachRowChunk(keys -> keys.forEach(store::delete));
    }

    /** Every row key of the partition, a bounded chunk at a time, whatever the partition's size. */
    private void forEachRowChunk(java.util.function.Consumer<List<Bytes>> action) {
        Bytes from = StoreKeys.prefixStart(List.of());
        Bytes to = StoreKeys.prefixEnd(List.of());
        while (true) {
            List<Bytes> keys = new ArrayList<>(ROW_CHUNK);
            try (KeyValueIterator<Bytes, byte[]> it = store.range(from, to)) {
                while (it.hasNext() && keys.size() < ROW_CHUNK) {
                    keys.add(it.next().key);
                }
            }
            if (keys.isEmpty()) {
                return;
            }
            action.accept(keys);
            byte[] last = keys.get(keys.size() - 1).get();
            from = Bytes.wrap(java.util.Arrays.copyOf(last, last.length + 1)); // the least key after it
        }
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
