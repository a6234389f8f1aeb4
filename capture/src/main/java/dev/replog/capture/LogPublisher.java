package dev.replog.capture;

import dev.replog.metrics.ReplogMetric;
import dev.replog.schemas.CompleteCopy;
import dev.replog.schemas.CompleteCopyFormat;
import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.SchemaChange;
import dev.replog.schemas.SchemaChangeFormat;
import dev.replog.schemas.SourcePosition;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableId;
import dev.replog.topology.TopicNames;
import dev.replog.topology.TopicProvisioner;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.relational.RelationalChangeRecordEmitter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes Debezium's batches to the replication log. The rule that makes capture lossless: the
 * whole batch is sent, every send is acknowledged by Kafka (acks=all) and the batch's Kafka
 * transaction committed, and only then are the records marked processed, so Debezium's offset and
 * the slot never move past what Kafka holds. A batch that fails is aborted: no reader sees part of it.
 */
final class LogPublisher implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private final TransactionalLog kafka;
    private final WatermarkPublisher watermarks;
    private final TopicProvisioner provisioner;
    private final TopicNames topics;
    private final SchemaTracker schemas;
    private final CopyProgress copies;
    /** Where refresh copies start and which are complete; null when refresh copies are off. */
    private final CopyLog copyLog;
    private final TableId signals;
    private final String signalsTopic;
    /** The signal table as Debezium's transaction END names it. */
    private final String signalsCollection;
    private final LogEncoding encoding;
    /** The {@link LogHeaders#FORMAT} header of records written in the log's format. */
    private final byte[] formatHeader;
    private final AtomicLong published = new AtomicLong();
    private volatile Lsn lastLsn = Lsn.ZERO;
    private final Timer batchPublish;
    private final DistributionSummary batchEvents;
    /** Whether the last data record sent was a snapshot row. */
    private boolean snapshotRows;
    /** Whether the last record read from a table (capture's heartbeat included) was a row of an initial snapshot. */
    private volatile boolean initialSnapshot;

    LogPublisher(TransactionalLog kafka, WatermarkPublisher watermarks, TopicProvisioner provisioner, TopicNames topics,
                 SchemaTracker schemas, TableId signals, CopyProgress copies, CopyLog copyLog, LogEncoding encoding,
                 MeterRegistry meters) {
        this.kafka = kafka;
        this.encoding = encoding;
        this.formatHeader = utf8(encoding.format().header());
        this.copyLog = copyLog;
        this.copies = copies;
        this.watermarks = watermarks;
        this.schemas = schemas;
        this.signals = signals;
        this.signalsTopic = topics.topicOf(signals);
        this.signalsCollection = signals.schema() + "." + signals.table();
        this.provisioner = provisioner;
        this.topics = topics;
        ReplogMetric.CAPTURE_EVENTS_PUBLISHED.functionCounter(meters, published, AtomicLong::get);
        ReplogMetric.CAPTURE_PUBLISHED_LSN.gauge(meters, this, p -> p.lastLsn.value());
        this.batchPublish = ReplogMetric.CAPTURE_BATCH_PUBLISH.timer(meters);
        this.batchEvents = ReplogMetric.CAPTURE_BATCH_EVENTS.summary(meters);
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> batch,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        // The watermark timer uses the same Kafka producer between batches (see WatermarkPublisher).
        synchronized (kafka) {
            try {
                publish(batch, committer);
            } catch (RuntimeException | InterruptedException e) {
                // Nothing of the batch is readable; its schema changes must be published again with it.
                kafka.abandon();
                encoding.abandoned();
                schemas.reset();
                watermarks.batchAbandoned();
                throw e;
            }
        }
    }

    private void publish(List<RecordChangeEvent<SourceRecord>> batch,
                         DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> sends = new ArrayList<>(batch.size());
        long started = System.nanoTime();
        kafka.begin();
        schemas.batchStarts();
        Lsn batchLsn = lastLsn;
        int changes = 0;
        Map<TableId, Long> copied = new HashMap<>();
        Map<TableId, Long> initialCopied = new HashMap<>();
        List<CompleteCopy> completeCopies = copyLog == null ? List.of() : copyLog.complete(batchLsn);
        for (CompleteCopy copy : completeCopies) {
            sends.add(kafka.send(new ProducerRecord<>(topics.copies(), 0, CompleteCopyFormat.key(copy.table()),
                    CompleteCopyFormat.write(copy), positionHeaders(new SourcePosition(copy.endLsn(), 0, copy.completedAt(), false),
                    utf8(LogHeaders.FORMAT_VERSION)))));
        }
        List<CopyStart> copyStarts = new ArrayList<>();
        // How far capture has read the WAL, heartbeats included: drops are published only past it.
        Lsn processed = lastLsn;
        for (RecordChangeEvent<SourceRecord> event : batch) {
            SourceRecord r = event.record();
            if (isHeartbeat(r.topic())) {
                processed = maxLsn(processed, r.sourceOffset().get("lsn"));
                continue;
            }
            Struct source = sourceOf(r);
            if (source != null && source.getInt64("lsn") == null) {
                r = withSourceLsn(r, source);
                source = sourceOf(r);
            }
            TableId table = source == null ? null : new TableId(source.getString("schema"), source.getString("table"));
            if (r.topic().equals(signalsTopic)) {
                // Snapshot requests and Debezium's watermarks (and their tombstones): for Debezium alone, never published.
                if (source != null) {
                    processed = maxLsn(processed, lsnOf(r, source).value());
                    if (copyLog != null) {
                        markCopyStarts(r, lsnOf(r, source), copyStarts, sends);
                    }
                }
                continue;
            }
            if (source != null) {
                boolean initial = isSnapshot(source) && !"incremental".equals(String.valueOf(source.get("snapshot")));
                if (initial != initialSnapshot) {
                    initialSnapshot = initial;
                }
            }
            if (source != null && HeartbeatTable.isHeartbeat(table)) {
                processed = maxLsn(processed, lsnOf(r, source).value());
                if (r.value() != null) {
                    // A transaction of its own: it moves a transactional follower's watermark while tables are idle.
                    byte[] key = r.key() == null ? null : encoding.encode(r.topic(), r.keySchema(), r.key(), true, sends);
                    sendOrdered(topics.heartbeat(), key, encoding.encode(r.topic(), r.valueSchema(), r.value(), false, sends),
                            headers(r, source), sends);
                }
                continue;
            }
            if (source != null && snapshotRows && !isSnapshot(source)) {
                // The snapshot is acknowledged before any streamed change is sent: once a consumer sees a
                // streamed transaction's END, every snapshot row is already in the log.
                awaitAll(sends);
            }
            snapshotRows = source != null && isSnapshot(source);
            if (source != null && isSnapshot(source)) {
                (initialSnapshot ? initialCopied : copied).merge(table, 1L, Long::sum);
            }
            if (source != null) {
                changes++;
                Lsn lsn = lsnOf(r, source);
                if (lsn.isAfter(batchLsn)) {
                    batchLsn = lsn;
                }
            }
            if (isRowChange(r, source)) {
                publishSchemaChange(r, source, sends);
            }
            send(r, source, sends);
        }
        for (SchemaTracker.Dropped d : schemas.dropped(maxLsn(processed, batchLsn.value()))) {
            SourcePosition at = new SourcePosition(d.noticedAt(), 0, Instant.now(), false);
            broadcast(d.topic(), encoding.own(SchemaChangeFormat.write(new SchemaChange(d.table(), null, at))),
                    positionHeaders(at, formatHeader), sends);
        }
        watermarks.appendIfDue(sends); // last: every record of the batch is before it in its partition
        awaitAll(sends);
        kafka.commit();
        encoding.committed();
        watermarks.batchCommitted();
        for (CopyStart start : copyStarts) {
            copyLog.started(start.published());
        }
        if (!completeCopies.isEmpty()) {
            copyLog.recorded(completeCopies);
        }
        for (RecordChangeEvent<SourceRecord> event : batch) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
        if (!copied.isEmpty()) {
            copies.rowsCopied(copied, false);
        }
        if (!initialCopied.isEmpty()) {
            copies.rowsCopied(initialCopied, true);
        }
        published.addAndGet(changes);
        lastLsn = batchLsn;
        batchPublish.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        batchEvents.record(changes);
    }

    /** A copy's start markers sent in the open batch. */
    private record CopyStart(TableId table, String copyId, String topic, List<Future<RecordMetadata>> markers, Lsn lsn) {

        /** Once the batch committed: where the markers landed. */
        CopyLog.Start published() {
            Map<Integer, Long> offsets = new HashMap<>();
            for (Future<RecordMetadata> f : markers) {
                try {
                    RecordMetadata m = f.get();
                    offsets.put(m.partition(), m.offset());
                } catch (ExecutionException | InterruptedException e) {
                    throw new IllegalStateException("a send of a committed batch was acknowledged", e);
                }
            }
            return new CopyLog.Start(table, copyId, topic, offsets, lsn);
        }
    }

    /**
     * Debezium read a request to copy tables ({@code execute-snapshot} in the signal table, in WAL
     * order): a start marker into every partition of each table's topic, before any change streamed
     * after the request, hence before every row of the copy and every streamed change Debezium lets
     * win over a copied row. The table's definition is published again before its next row.
     */
    private void markCopyStarts(SourceRecord r, Lsn at, List<CopyStart> starts, List<Future<RecordMetadata>> sends) {
        if (!(r.value() instanceof Struct v) || v.schema().field("after") == null || v.getStruct("after") == null) {
            return;
        }
        Struct after = v.getStruct("after");
        if (after.schema().field("type") == null || !"execute-snapshot".equals(after.getString("type"))) {
            return;
        }
        for (TableId table : SnapshotSignals.tablesOf(after.getString("data"))) {
            String topic = topics.forTable(table);
            provisioner.ensureTableTopic(topic);
            List<Future<RecordMetadata>> markers = watermarks.markCopyStart(topic, provisioner.partitionsOf(topic),
                    after.getString("id"));
            sends.addAll(markers);
            schemas.forget(table);
            starts.add(new CopyStart(table, after.getString("id"), topic, markers, at));
        }
    }

    private static void awaitAll(List<Future<RecordMetadata>> sends) throws InterruptedException {
        for (Future<RecordMetadata> f : sends) {
            try {
                f.get();
            } catch (ExecutionException e) {
                // Nothing of this batch is marked processed: Debezium stops, and the next start
                // resends from the last acknowledged offset.
                throw new CaptureException("Kafka did not accept a change event: " + e.getCause().getMessage(), e.getCause());
            }
        }
    }

    /**
     * A new engine run. A snapshot it takes starts over from scratch (Debezium re-runs one that did
     * not complete), so every table's definition is published again before its first row: a
     * snapshot's definition tells appliers to replace the table's rows (see the applier's EventApplier).
     */
    void engineStarting() {
        schemas.reset();
    }

    /** Whether Debezium is, as far as capture has seen, in the middle of an initial snapshot. */
    boolean inInitialSnapshot() {
        return initialSnapshot;
    }

    private static boolean isSnapshot(Struct source) {
        Object snapshot = source.get("snapshot");
        return snapshot != null && !"false".equals(snapshot.toString());
    }

    /** Puts the table's new definition before the first row that has it, in every partition of its topic. */
    private void publishSchemaChange(SourceRecord r, Struct source, List<Future<RecordMetadata>> sends) {
        TableId table = new TableId(source.getString("schema"), source.getString("table"));
        Schema rowSchema = r.valueSchema().field("after").schema();
        Object snapshot = source.get("snapshot");
        // Only an initial snapshot's definition marks the table's rows as replaced on appliers; an
        // incremental snapshot's rows interleave with streamed changes, which must stay.
        boolean initialSnapshot = snapshot != null && !"false".equals(snapshot.toString())
                && !"incremental".equals(snapshot.toString());
        Optional<TableDefinition> change = schemas.changeBefore(table, r.topic(), rowSchema, r.keySchema(), initialSnapshot);
        if (change.isPresent()) {
            Long txId = source.getInt64("txId");
            SourcePosition at = new SourcePosition(lsnOf(r, source), txId == null ? 0 : txId,
                    Instant.ofEpochMilli(source.getInt64("ts_ms")), initialSnapshot);
            RecordHeaders headers = positionHeaders(at, formatHeader);
            if (at.snapshot()) {
                headers.add(LogHeaders.SNAPSHOT, utf8("true"));
            }
            if (txId != null) {
                headers.add(LogHeaders.TX_ID, utf8(Long.toString(txId)));
            }
            addPreviousCommit(headers, source);
            broadcast(r.topic(), encoding.own(SchemaChangeFormat.write(new SchemaChange(table, change.get(), at))), headers, sends);
        }
    }

    private void broadcast(String topic, byte[] value, RecordHeaders headers, List<Future<RecordMetadata>> sends) {
        provisioner.ensureTableTopic(topic);
        int partitions = provisioner.partitionsOf(topic);
        for (int p = 0; p < partitions; p++) {
            sends.add(kafka.send(new ProducerRecord<>(topic, p, (byte[]) null, value, headers)));
        }
    }

    private static RecordHeaders positionHeaders(SourcePosition at, byte[] format) {
        RecordHeaders h = new RecordHeaders();
        h.add(LogHeaders.FORMAT, format);
        h.add(LogHeaders.LSN, utf8(at.lsn().toString()));
        return h;
    }

    private void send(SourceRecord r, Struct source, List<Future<RecordMetadata>> sends) {
        String topic = r.topic();
        byte[] key = r.key() != null ? encoding.encode(topic, r.keySchema(), r.key(), true, sends)
                : isRowChange(r, source) ? keyFromRow(r, source, sends) : null;
        Object v = topic.equals(topics.transactions()) && r.value() instanceof Struct end ? withoutSignals(end) : r.value();
        byte[] value = v == null ? null : encoding.encode(topic, r.valueSchema(), v, false, sends);
        RecordHeaders headers = headers(r, source);
        addKeyMove(r, headers, sends);
        if (topic.equals(topics.transactions())) {
            sendOrdered(topic, key, value, transactionHeaders(r), sends);
            noteEnd(r);
        } else if (key == null && value != null) {
            // A truncate has no key. Each partition gets a copy so that it is ordered against every
            // key's events; the applier truncates once all copies have arrived.
            broadcast(topic, value, headers, sends);
        } else {
            provisioner.ensureTableTopic(topic);
            sends.add(kafka.send(new ProducerRecord<>(topic, (Integer) null, key, value, headers)));
        }
    }

    /**
     * Debezium sends a primary-key update as a delete of the old key and a create of the new one, each
     * naming the other key in a header. Replog passes them on, written like record keys: under the
     * default replica identity the create lacks the large values the update left alone, and the
     * applier takes them from the old row (see the applier's KeyMoves).
     */
    private void addKeyMove(SourceRecord r, RecordHeaders headers, List<Future<RecordMetadata>> sends) {
        if (r.value() == null) {
            return;
        }
        for (org.apache.kafka.connect.header.Header h : r.headers()) {
            String name = h.key().equals(RelationalChangeRecordEmitter.PK_UPDATE_OLDKEY_FIELD) ? LogHeaders.KEY_OLD
                    : h.key().equals(RelationalChangeRecordEmitter.PK_UPDATE_NEWKEY_FIELD) ? LogHeaders.KEY_NEW : null;
            if (name != null && h.value() != null) {
                headers.add(name, encoding.encode(r.topic(), h.schema(), h.value(), true, sends));
            }
        }
    }

    /**
     * A transaction END without the signal table's rows, which are never published: an END counts
     * every event of its transaction per table, and a transactional applier waits for all it counts.
     */
    private Struct withoutSignals(Struct end) {
        Field collections = end.schema().field("data_collections");
        if (collections == null || end.get(collections) == null) {
            return end;
        }
        List<Object> kept = new ArrayList<>();
        long removed = 0;
        for (Object c : end.getArray(collections.name())) {
            if (c instanceof Struct dc && signalsCollection.equals(dc.getString("data_collection"))) {
                removed += dc.getInt64("event_count");
            } else {
                kept.add(c);
            }
        }
        if (removed == 0) {
            return end;
        }
        Struct copy = new Struct(end.schema());
        for (Field f : end.schema().fields()) {
            copy.put(f, end.get(f));
        }
        copy.put(collections, kept);
        if (end.schema().field("event_count") != null && end.getInt64("event_count") != null) {
            copy.put("event_count", end.getInt64("event_count") - removed);
        }
        return copy;
    }

    private void sendOrdered(String topic, byte[] key, byte[] value, RecordHeaders headers, List<Future<RecordMetadata>> sends) {
        provisioner.ensureOrderedTopic(topic, false);
        sends.add(kafka.send(new ProducerRecord<>(topic, 0, key, value, headers)));
    }

    /** An END's commit LSN (its {@link LogHeaders#LSN} header) is what the next watermark may name. */
    private void noteEnd(SourceRecord r) {
        if (r.value() instanceof Struct v && v.schema().field("status") != null && "END".equals(v.getString("status"))
                && r.sourceOffset().get("lsn") instanceof Long lsn) {
            Long ts = v.schema().field("ts_ms") == null ? null : v.getInt64("ts_ms");
            watermarks.ended(new Lsn(lsn), ts == null ? Instant.now() : Instant.ofEpochMilli(ts));
        }
    }

    /** BEGIN/END carry the transaction's xid and, from Debezium's offset, its WAL position (END: the commit). */
    private RecordHeaders transactionHeaders(SourceRecord r) {
        RecordHeaders h = new RecordHeaders();
        h.add(LogHeaders.FORMAT, formatHeader);
        if (r.sourceOffset().get("lsn") instanceof Long lsn) {
            h.add(LogHeaders.LSN, utf8(new Lsn(lsn).toString()));
        }
        if (r.value() instanceof Struct v && v.schema().field("id") != null && v.getString("id") != null) {
            String id = v.getString("id");
            h.add(LogHeaders.TX_ID, utf8(id.contains(":") ? id.substring(0, id.indexOf(':')) : id));
        }
        return h;
    }

    private boolean isRowChange(SourceRecord r, Struct source) {
        return source != null && !r.topic().equals(topics.transactions()) && r.value() instanceof Struct v
                && v.schema().field("op") != null && !"t".equals(v.getString("op"));
    }

    /**
     * Debezium sends a row without a key when it read the row after its table was dropped (it can no
     * longer look the key up); the key is rebuilt from the primary key last published for the table.
     */
    private byte[] keyFromRow(SourceRecord r, Struct source, List<Future<RecordMetadata>> sends) {
        TableId table = new TableId(source.getString("schema"), source.getString("table"));
        List<String> keyColumns = schemas.primaryKeyOf(table);
        Struct value = (Struct) r.value();
        Struct row = value.getStruct("after") != null ? value.getStruct("after") : value.getStruct("before");
        if (keyColumns.isEmpty() || row == null) {
            throw new CaptureException("a change of " + table + " at LSN " + lsnOf(r, source)
                    + " has no primary key (was the table's key dropped?); Replog keys every change by primary key");
        }
        SchemaBuilder keySchema = SchemaBuilder.struct().name(r.topic() + ".Key");
        for (String k : keyColumns) {
            keySchema.field(k, row.schema().field(k).schema());
        }
        Schema built = keySchema.build();
        Struct key = new Struct(built);
        for (String k : keyColumns) {
            key.put(k, row.get(k));
        }
        return encoding.encode(r.topic(), built, key, true, sends);
    }

    /**
     * Rows of an incremental snapshot carry no WAL position in their source block (Debezium 3.6.3),
     * which the log's format promises: they get the position streaming had reached when they were
     * read, from the record's offset.
     */
    private static SourceRecord withSourceLsn(SourceRecord r, Struct source) {
        Struct value = (Struct) r.value();
        Struct newSource = new Struct(source.schema());
        for (Field f : source.schema().fields()) {
            newSource.put(f, source.get(f));
        }
        newSource.put("lsn", lsnOf(r, source).value());
        Struct newValue = new Struct(value.schema());
        for (Field f : value.schema().fields()) {
            newValue.put(f, f.name().equals("source") ? newSource : value.get(f));
        }
        return r.newRecord(r.topic(), r.kafkaPartition(), r.keySchema(), r.key(), r.valueSchema(), newValue, r.timestamp(),
                r.headers());
    }

    /** The change's WAL position: from its source block, else from the record's offset. */
    private static Lsn lsnOf(SourceRecord r, Struct source) {
        Long lsn = source.getInt64("lsn");
        if (lsn == null && r.sourceOffset().get("lsn") instanceof Long offset) {
            lsn = offset;
        }
        return lsn == null ? Lsn.ZERO : new Lsn(lsn);
    }

    private static Lsn maxLsn(Lsn current, Object candidate) {
        if (candidate instanceof Long l && new Lsn(l).isAfter(current)) {
            return new Lsn(l);
        }
        return current;
    }

    private boolean isHeartbeat(String topic) {
        return topic.startsWith("__debezium-heartbeat");
    }

    private static Struct sourceOf(SourceRecord r) {
        if (r.value() instanceof Struct v && v.schema().field("source") != null) {
            return v.getStruct("source");
        }
        return null;
    }

    private RecordHeaders headers(SourceRecord r, Struct source) {
        RecordHeaders h = new RecordHeaders();
        h.add(LogHeaders.FORMAT, formatHeader);
        if (source == null) {
            return h;
        }
        h.add(LogHeaders.LSN, utf8(lsnOf(r, source).toString()));
        Long txId = source.getInt64("txId");
        if (txId != null) {
            h.add(LogHeaders.TX_ID, utf8(Long.toString(txId)));
        }
        Object snapshot = source.get("snapshot");
        if (snapshot != null && !"false".equals(snapshot.toString())) {
            h.add(LogHeaders.SNAPSHOT, utf8("true"));
        }
        if (r.value() instanceof Struct v && v.schema().field("transaction") != null) {
            Struct tx = v.getStruct("transaction");
            if (tx != null) {
                h.add(LogHeaders.TX_ORDER, utf8(tx.get("total_order").toString()));
            }
        }
        addPreviousCommit(h, source);
        return h;
    }

    private static void addPreviousCommit(RecordHeaders h, Struct source) {
        Field sequence = source.schema().field("sequence");
        if (sequence != null && source.get(sequence) != null) {
            String previousCommit = previousCommitLsn(source.getString("sequence"));
            if (previousCommit != null) {
                h.add(LogHeaders.PREVIOUS_COMMIT_LSN, utf8(new Lsn(Long.parseLong(previousCommit)).toString()));
            }
        }
    }

    /** Debezium's source.sequence is a JSON array in a string: {@code ["<lastCommitLsn>","<lsn>"]}. */
    static String previousCommitLsn(String sequence) {
        // Called for every event: a scan for the first element instead of a regex and a split.
        int end = sequence.indexOf(',');
        if (end < 0) {
            end = sequence.length();
        }
        StringBuilder first = new StringBuilder(20);
        for (int i = 0; i < end; i++) {
            char ch = sequence.charAt(i);
            if (ch != '[' && ch != ']' && ch != '"' && ch != ' ') {
                first.append(ch);
            }
        }
        return first.isEmpty() || first.toString().equals("null") ? null : first.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Row changes and truncates published (not tombstones, heartbeats or transaction markers). */
    long publishedCount() {
        return published.get();
    }

    Lsn lastPublishedLsn() {
        return lastLsn;
    }
}
