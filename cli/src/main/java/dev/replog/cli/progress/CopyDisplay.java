package dev.replog.cli.progress;

import dev.replog.capture.CopyStates;
import dev.replog.capture.LeaderConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Capture's copies (the initial snapshot, tables published later, resnapshots) as progress: rows
 * copied over the leader's estimate, one table at a time as Debezium copies them. Read from
 * {@code replog.captured_tables} on the leader, where capture records them at each publication check,
 * on a thread of its own, so a display that cannot read the leader never slows capture.
 */
public final class CopyDisplay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CopyDisplay.class);
    private static final Duration EVERY = Duration.ofSeconds(2);

    private final LeaderConnection leader;
    private final String slot;
    private final Progress progress;
    private final Thread thread;
    private volatile boolean closed;
    private String shownTable;
    private long shownRows;

    private CopyDisplay(LeaderConnection leader, String slot, Progress progress) {
        this.leader = leader;
        this.slot = slot;
        this.progress = progress;
        this.thread = new Thread(this::run, "replog-copy-progress");
        this.thread.setDaemon(true);
    }

    public static CopyDisplay start(LeaderConnection leader, String slot, Progress progress) {
        CopyDisplay d = new CopyDisplay(leader, slot, progress);
        d.thread.start();
        return d;
    }

    private void run() {
        Connection c = null;
        while (!closed) {
            try {
                if (c == null || !c.isValid(2)) {
                    c = leader.open();
                }
                show(CopyStates.read(c, slot));
            } catch (SQLException e) {
                log.debug("copy progress not readable now: {}", e.getMessage());
                c = null;
            }
            try {
                Thread.sleep(EVERY.toMillis());
            } catch (InterruptedException e) {
                break;
            }
        }
        close(c);
    }

    /** Shows the copy in progress, if any; a copy that ended since is finished first. */
    void show(List<CopyStates.CopyState> copies) {
        Optional<CopyStates.CopyState> running = copies.stream().filter(CopyStates.CopyState::copying).findFirst();
        String table = running.map(r -> r.table().toString()).orElse(null);
        if (shownTable != null && !shownTable.equals(table)) {
            // The copy shown ended: its last rows first.
            copies.stream().filter(c -> c.table().toString().equals(shownTable) && c.rows() != null).findFirst()
                    .ifPresent(c -> progress.advance(Math.max(0, c.rows() - shownRows)));
            progress.finish();
            shownTable = null;
        }
        if (running.isEmpty()) {
            return;
        }
        CopyStates.CopyState copy = running.get();
        long rows = copy.rows() == null ? 0 : copy.rows();
        if (shownTable == null) {
            shownTable = table;
            shownRows = 0;
            progress.start("copy " + table, copy.estimate() == null ? 0 : copy.estimate(), "rows");
        }
        progress.advance(Math.max(0, rows - shownRows));
        shownRows = Math.max(shownRows, rows);
    }

    private static void close(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // leaving anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        if (shownTable != null) {
            progress.finish();
        }
    }
}
