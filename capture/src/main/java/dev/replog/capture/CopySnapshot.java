package dev.replog.capture;

import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;
import io.debezium.connector.SnapshotRecord;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.relational.Column;
import org.apache.kafka.connect.source.SourceRecord;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The initial snapshot of {@code capture.snapshot.method=copy}: capture creates the slot itself with
 * an exported snapshot ({@link ExportedSnapshot}), reads every table with {@code COPY ... TO STDOUT} in
 * transactions that import that snapshot, several tables (and key ranges of a large table) at once,
 * and publishes each row through {@link LogPublisher} as the read event Debezium's snapshot would
 * make ({@link DebeziumReadEvents}). Debezium then starts with {@code snapshot.mode=no_data} on the
 * slot and streams from its consistent point: the snapshot holds exactly the transactions committed
 * before that point and the stream exactly those after, so no row is lost or doubled.
 *
 * <p>A complete copy is recorded in capture's offset topic ({@link DebeziumOffsets}). A capture
 * stopped during the copy has no such record: at its next start the slot is dropped and created again
 * and every table copied again from scratch, each copy's definition telling appliers to replace the
 * table's rows, as after Debezium's own snapshot restarted.
 */
final class CopySnapshot {

    private static final Logger log = LoggerFactory.getLogger(CopySnapshot.class);
    /** Rows per batch handed to the publisher: Debezium's max.batch.size in {@link DebeziumConfig}. */
    private static final int BATCH = 4096;
    /**
     * Text bytes of rows per batch at most: what readers hold is bounded by this, not by the width of
     * the rows (Debezium's queue is bounded the same way, by DebeziumConfig.QUEUE_BYTES in all).
     */
    private static final long BATCH_BYTES = 8L * 1024 * 1024;
    /** Below this size a table is copied by one reader (its statistics may not be there yet: size is). */
    private static final long CHUNKED_ABOVE_BYTES = 1024 * 1024;
    private static final DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> NOTHING_TO_COMMIT =
            new DebeziumEngine.RecordCommitter<>() {
                @Override
                public void markProcessed(RecordChangeEvent<SourceRecord> r) {
                }

                @Override
                public void markBatchFinished() {
                }

                @Override
                public void markProcessed(RecordChangeEvent<SourceRecord> r, DebeziumEngine.Offsets o) {
                }

                @Override
                public DebeziumEngine.Offsets buildOffsets() {
                    return null;
                }
            };

    private final CaptureSettings settings;
    private final Properties engineProperties;
    private final LogPublisher publisher;
    private final CopyNotifications.Listener progress;
    private final int readers;
    /** Set when one reader failed: the others cancel their COPY and end before the copy is given up. */
    private volatile boolean stopping;
    /** Whether the snapshot's first row (Debezium's {@code first}) was built. */
    private final AtomicBoolean firstBuilt = new AtomicBoolean();
    /** The last row of the table whose copy ended last: Debezium's {@code last} once every copy ended. */
    private HeldRow held;

    CopySnapshot(CaptureSettings settings, Properties engineProperties, LogPublisher publisher,
                 CopyNotifications.Listener progress) {
        this.settings = settings;
        this.engineProperties = engineProperties;
        this.publisher = publisher;
        this.progress = progress;
        this.readers = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Whether the copy is still to be taken: no complete copy (nor a Debezium offset) is recorded for
     * this capture, or the slot it streams from is gone.
     */
    boolean needed() {
        boolean complete = DebeziumOffsets.stored(settings.kafka(), settings.topics().captureOffsets(), engineProperties.getProperty("name"));
        try {
            return !complete || !slotExists();
        } catch (SQLException e) {
            throw new CaptureException("cannot look up slot " + settings.slotName() + " on leader " + settings.leader() + ": "
                    + e.getMessage(), e);
        }
    }

    private boolean slotExists() throws SQLException {
        try (Connection c = settings.leader().open();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
            ps.setString(1, settings.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Drops a slot left by a copy that did not complete, creates it again and copies {@code tables}. */
    void run(Collection<TableId> tables) throws InterruptedException {
        long started = System.nanoTime();
        try {
            dropSlotIfPresent();
            try (ExportedSnapshot snapshot = ExportedSnapshot.createSlot(settings.leader(), settings.slotName());
                 DebeziumReadEvents events = new DebeziumReadEvents(engineProperties);
                 Connection coordinator = open(snapshot.snapshotName(), false)) {
                long txId;
                try (Statement s = coordinator.createStatement(); ResultSet rs = s.executeQuery("SELECT txid_current()")) {
                    rs.next();
                    txId = rs.getLong(1);
                }
                events.readTables(tables);
                List<Chunk> chunks = new ArrayList<>();
                for (TableId t : tables) {
                    chunks.addAll(chunksOf(coordinator, t, events));
                }
                log.info("copy snapshot: slot {} created at {} (snapshot {}); copying {} tables in {} parts with {} readers",
                        settings.slotName(), snapshot.consistentPoint(), snapshot.snapshotName(), tables.size(), chunks.size(), readers);
                long rows = copy(chunks, snapshot, events, txId);
                publishLast();
                // Before the snapshot ends: a capture stopped from here on resumes on this slot, copying nothing again.
                DebeziumOffsets.copyComplete(settings.kafka(), settings.topics().captureOffsets(), engineProperties.getProperty("name"),
                        settings.slotName(), snapshot.consistentPoint().toString());
                log.info("copy snapshot: {} rows of {} tables published in {} s; Debezium streams from {}", rows, tables.size(),
                        (System.nanoTime() - started) / 1_000_000 / 1000.0, snapshot.consistentPoint());
            }
        } catch (SQLException e) {
            throw new CaptureException("copy snapshot of slot " + settings.slotName() + " on leader " + settings.leader()
                    + " failed: " + e.getMessage(), e);
        }
    }

    private void dropSlotIfPresent() throws SQLException {
        try (Connection c = settings.leader().open();
             PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                     + "WHERE slot_name = ? AND database = current_database()")) {
            ps.setString(1, settings.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    log.warn("copy snapshot: slot {} exists but Debezium never streamed from it (a copy that did not complete): "
                            + "dropped, copying every table again", settings.slotName());
                }
            }
        }
    }

    /** A part of a table to read: all of it, or a range of its integer key. */
    /** @param last whether it is the table's last (highest) key range: its last row is Debezium's last of the table */
    private record Chunk(TableId table, String where, AtomicInteger left, AtomicLong rows, boolean first, boolean last) {
    }

    /** A row built at the end, when it is known whether it is the snapshot's very last. */
    private record HeldRow(DebeziumReadEvents.TableEvents maker, DebeziumReadEvents.Source source, Object[] row, boolean first) {
    }

    private List<Chunk> chunksOf(Connection c, TableId t, DebeziumReadEvents events) throws SQLException {
        List<Column> key = events.columns(t).stream().filter(col -> isKey(events, t, col)).toList();
        AtomicLong rows = new AtomicLong();
        if (key.size() != 1 || !List.of("int2", "int4", "int8").contains(key.get(0).typeName())
                || size(c, t) < CHUNKED_ABOVE_BYTES) {
            return List.of(new Chunk(t, "", new AtomicInteger(1), rows, true, true));
        }
        String k = SqlIdentifiers.quote(key.get(0).name());
        long min;
        long max;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT min(" + k + "), max(" + k + ") FROM " + SqlIdentifiers.quote(t))) {
            rs.next();
            min = rs.getLong(1);
            max = rs.getLong(2);
            if (rs.wasNull()) {
                return List.of(new Chunk(t, "", new AtomicInteger(1), rows, true, true));
            }
        }
        try {
            Math.subtractExact(max, min);
        } catch (ArithmeticException e) {
            return List.of(new Chunk(t, "", new AtomicInteger(1), rows, true, true));
        }
        int n = readers;
        AtomicInteger left = new AtomicInteger(n);
        List<Chunk> out = new ArrayList<>();
        long step = Math.max(1, (max - min) / n + 1);
        for (int i = 0; i < n; i++) {
            long from = min + i * step;
            String where = i == n - 1 ? " WHERE " + k + " >= " + from : " WHERE " + k + " >= " + from + " AND " + k + " < " + (from + step);
            out.add(new Chunk(t, where, left, rows, i == 0, i == n - 1));
        }
        return out;
    }

    private static boolean isKey(DebeziumReadEvents events, TableId t, Column c) {
        return events.primaryKey(t).contains(c.name());
    }

    private static long size(Connection c, TableId t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_relation_size(?::regclass)")) {
            ps.setString(1, SqlIdentifiers.quote(t));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private long copy(List<Chunk> chunks, ExportedSnapshot snapshot, DebeziumReadEvents events, long txId)
            throws InterruptedException, SQLException {
        ExecutorService pool = Executors.newFixedThreadPool(readers, r -> {
            Thread t = new Thread(r, "replog-copy-snapshot");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (Chunk chunk : chunks) {
                done.add(pool.submit(() -> copyChunk(chunk, snapshot, events, txId)));
            }
            long rows = 0;
            for (Future<Long> f : done) {
                try {
                    rows += f.get();
                } catch (ExecutionException e) {
                    stopping = true;
                    throw e;
                }
            }
            return rows;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof InterruptedException ie) {
                throw ie;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new CaptureException("copy snapshot failed: " + cause, cause);
        } finally {
            stopping = true;
            pool.shutdown();
            // No reader may publish once the copy is given up: a retry copies from a new snapshot.
            if (!pool.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new CaptureException("copy snapshot: readers did not stop within 5 minutes");
            }
        }
    }

    private long copyChunk(Chunk chunk, ExportedSnapshot snapshot, DebeziumReadEvents events, long txId)
            throws SQLException, InterruptedException {
        TableId t = chunk.table();
        String table = t.schema() + "." + t.table(); // as Debezium names it
        boolean own = CopyNotifications.isOwn(table); // capture's heartbeat table: copied like Debezium does, not reported
        if (!own) {
            progress.chunkRead(table, true);
        }
        List<Column> columns = events.columns(t);
        DebeziumReadEvents.TableEvents maker = events.forTable(t);
        String sql = "COPY (SELECT " + columns.stream().map(c -> SqlIdentifiers.quote(c.name())).collect(Collectors.joining(", "))
                + " FROM " + SqlIdentifiers.quote(t) + chunk.where() + ") TO STDOUT";
        long rows = 0;
        try (Connection c = open(snapshot.snapshotName(), true)) {
            CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
            List<RecordChangeEvent<SourceRecord>> batch = new ArrayList<>(BATCH);
            long batchBytes = 0;
            // Debezium's rows are arrays indexed by column position (which a dropped column leaves a gap in).
            int width = columns.stream().mapToInt(Column::position).max().orElse(0);
            DebeziumReadEvents.Source source = events.source(t, snapshot.consistentPoint(), txId);
            byte[] line;
            // One row behind: whether a row is the table's last is known when the next one is read.
            Object[] pending = null;
            boolean pendingFirst = chunk.first();
            while ((line = out.readFromCopy()) != null) {
                if (stopping) {
                    out.cancelCopy();
                    throw new InterruptedException("copy snapshot stopped: another reader failed");
                }
                String[] text = CopyTextRow.split(line, columns.size());
                Object[] row = new Object[width];
                for (int i = 0; i < text.length; i++) {
                    row[columns.get(i).position() - 1] = SnapshotValues.of(columns.get(i), text[i]);
                }
                if (pending != null) {
                    SourceRecord r = maker.read(source, pending, pendingFirst ? firstMarker() : SnapshotRecord.TRUE);
                    batch.add(() -> r);
                    pendingFirst = false;
                }
                pending = row;
                batchBytes += line.length;
                if (batch.size() == BATCH || batchBytes >= BATCH_BYTES) {
                    publish(batch);
                    batchBytes = 0;
                    source.now();
                }
                rows++;
            }
            if (pending != null && chunk.last()) {
                HeldRow before = hold(new HeldRow(maker, source, pending, pendingFirst));
                if (before != null) {
                    SourceRecord r = before.maker().read(before.source(), before.row(), SnapshotRecord.LAST_IN_DATA_COLLECTION);
                    batch.add(() -> r);
                }
            } else if (pending != null) {
                SourceRecord r = maker.read(source, pending, pendingFirst ? firstMarker() : SnapshotRecord.TRUE);
                batch.add(() -> r);
            }
            publish(batch);
            c.commit();
        }
        long tableRows = chunk.rows().addAndGet(rows);
        if (chunk.left().decrementAndGet() == 0 && !own) {
            progress.tableRead(table, true, tableRows, "SUCCEEDED");
        }
        return rows;
    }

    /**
     * Debezium's markers: {@code last} on the snapshot's last row, {@code first} on its first,
     * {@code last_in_data_collection} / {@code first_in_data_collection} on a table's last / first row
     * (a row that is both takes the last). Tables and key ranges are read at once here, so "first" is the
     * first row built, and the snapshot's last row is held back until every reader is done.
     */
    private SnapshotRecord firstMarker() {
        return firstBuilt.compareAndSet(false, true) ? SnapshotRecord.FIRST : SnapshotRecord.FIRST_IN_DATA_COLLECTION;
    }

    /** Holds a table's last row, and returns the one held before (no longer the snapshot's last). */
    private synchronized HeldRow hold(HeldRow row) {
        HeldRow before = held;
        held = row;
        return before;
    }

    private void publishLast() throws InterruptedException {
        HeldRow last = hold(null);
        if (last != null) {
            SourceRecord r = last.maker().read(last.source(), last.row(), SnapshotRecord.LAST);
            List<RecordChangeEvent<SourceRecord>> batch = new ArrayList<>(List.of(() -> r));
            publish(batch);
        }
    }

    private void publish(List<RecordChangeEvent<SourceRecord>> batch) throws InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("copy snapshot stopped");
        }
        publisher.handleBatch(batch, NOTHING_TO_COMMIT);
        batch.clear();
    }

    /** A connection in a repeatable-read transaction that sees the exported snapshot. */
    private Connection open(String snapshotName, boolean readOnly) throws SQLException {
        Connection c = settings.leader().open();
        try {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(readOnly);
            try (PreparedStatement ps = c.prepareStatement("SET TRANSACTION SNAPSHOT '" + snapshotName.replace("'", "''") + "'")) {
                ps.execute();
            }
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }
}
