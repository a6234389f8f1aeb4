package dev.replog.capture;

import dev.replog.schemas.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The copies Debezium runs (incremental snapshots, and the initial snapshot), as capture sees them: which table, since when,
 * how many of its rows the log holds so far (acknowledged by Kafka), and whether the table was read
 * to its end. Fed by Debezium's notifications ({@link CopyNotifications}) and by {@link LogPublisher};
 * written into {@code replog.captured_tables} by {@link LeaderPublication} at each of its checks.
 * Logs one line when a copy starts and one when it ends. Tables as Debezium names them ({@code schema.table}).
 */
final class CopyProgress implements CopyNotifications.Listener {

    private static final Logger log = LoggerFactory.getLogger(CopyProgress.class);
    static final Set<String> COMPLETE = Set.of("SUCCEEDED", "EMPTY");

    /** @param state {@code copying}, {@code done} or {@code failed}; {@code finishedAt} null while copying */
    record Copy(String state, Instant startedAt, Instant finishedAt, long rows) {

        boolean running() {
            return finishedAt == null;
        }
    }

    private final Map<String, Copy> copies = new HashMap<>();
    private final Map<String, Copy> unwritten = new LinkedHashMap<>();
    /** Told of a copy Debezium gave up on, with its status. */
    private final BiConsumer<String, String> failed;

    CopyProgress(BiConsumer<String, String> failed) {
        this.failed = failed;
    }

    @Override
    public synchronized void chunkRead(String table, boolean initial) {
        runningCopyOf(table, initial);
    }

    @Override
    public void tableRead(String table, boolean initial, long rowsRead, String status) {
        boolean complete = COMPLETE.contains(status);
        synchronized (this) {
            Copy c = runningCopyOf(table, initial);
            Instant now = Instant.now();
            put(table, new Copy(complete ? "done" : "failed", c.startedAt(), now, c.rows()));
            if (complete) {
                log.info("copy of table {} done: {} rows read in {} s", table, rowsRead >= 0 ? rowsRead : c.rows(),
                        Duration.between(c.startedAt(), now).toMillis() / 1000.0);
            }
        }
        if (!complete && !initial) {
            // An initial snapshot that fails stops the engine, which takes it again when it restarts.
            failed.accept(table, status);
        }
    }

    /** Rows of copies Kafka has acknowledged, by table; the last rows of a copy may come just after it is done. */
    synchronized void rowsCopied(Map<TableId, Long> rowsByTable, boolean initial) {
        rowsByTable.forEach((id, rows) -> {
            String table = id.schema() + "." + id.table(); // as Debezium names it
            Copy c = copies.get(table);
            if (c == null) {
                c = runningCopyOf(table, initial);
            }
            put(table, new Copy(c.state(), c.startedAt(), c.finishedAt(), c.rows() + rows));
        });
    }

    /** The copies changed since they were last {@link #written}. */
    synchronized Map<String, Copy> unwritten() {
        return new LinkedHashMap<>(unwritten);
    }

    /** These states of copies are on the leader now (a copy changed meanwhile stays unwritten). */
    synchronized void written(Map<String, Copy> states) {
        states.forEach(unwritten::remove);
    }

    private Copy runningCopyOf(String table, boolean initial) {
        Copy c = copies.get(table);
        if (c == null || !c.running()) {
            c = new Copy("copying", Instant.now(), null, 0);
            put(table, c);
            log.info("copy of table {} started ({})", table, initial ? "initial snapshot"
                    : "incremental snapshot: chunks read while streaming goes on");
        }
        return c;
    }

    private void put(String table, Copy c) {
        copies.put(table, c);
        unwritten.put(table, c);
    }
}
