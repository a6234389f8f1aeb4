package dev.replog.capture;

import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Refresh copies (capture.refresh.interval.ms): every captured table is copied again once per
 * interval, counted from the end of its last copy (or from when it was captured, if never copied), so
 * that the log always holds a complete copy of it that a follower can be rebuilt from. One table at a
 * time: a copy is requested only while no copy of the slot is requested or running (one whose state has not
 * moved for an interval is taken for abandoned). The schedule is
 * read from {@code replog.captured_tables}, so a restarted capture copies only what is due.
 */
final class RefreshCopies {

    private static final Logger log = LoggerFactory.getLogger(RefreshCopies.class);

    private final String slot;
    private final TableId signals;
    private final Duration interval;
    /** Tables to copy again at once: a copy completed that could not be recorded (see {@link CopyLog}). */
    private final Queue<TableId> again = new ConcurrentLinkedQueue<>();

    RefreshCopies(String slot, TableId signals, Duration interval) {
        this.slot = slot;
        this.signals = signals;
        this.interval = interval;
    }

    void copyAgain(TableId table) {
        again.add(table);
    }

    /**
     * Requests the copy of the table most overdue, if any is due and no copy runs.
     *
     * @param members the published tables with their oids
     * @param own     capture's own tables, never copied
     */
    void requestDue(Connection c, Map<TableId, Long> members, Set<TableId> own) throws SQLException {
        TableId due = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT table_schema, table_name, "
                + "coalesce(copy_finished_at, captured_since) <= now() - make_interval(secs => ?) AS due "
                + "FROM " + CapturedTables.TABLE + " t WHERE slot_name = ? AND NOT EXISTS (SELECT 1 FROM "
                + CapturedTables.TABLE + " r WHERE r.slot_name = t.slot_name AND r.copy_state IN ('requested', 'copying') "
                // A copy whose state has not moved for an interval belongs to a capture that stopped before it
                // wrote 'done': it must not hold the refreshes back for good.
                + "AND r.copy_progress_at > now() - make_interval(secs => ?)) "
                + "ORDER BY coalesce(copy_finished_at, captured_since)")) {
            ps.setDouble(1, interval.toNanos() / 1e9);
            ps.setString(2, slot);
            ps.setDouble(3, interval.toNanos() / 1e9);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && due == null) {
                    TableId t = new TableId(rs.getString(1), rs.getString(2));
                    boolean copyable = members.containsKey(t) && !own.contains(t) && SnapshotSignals.problem(t) == null;
                    if (copyable && (rs.getBoolean(3) || again.contains(t))) {
                        due = t;
                    }
                }
            }
        }
        if (due == null) {
            return;
        }
        c.setAutoCommit(false);
        try {
            SnapshotSignals.requestSnapshot(c, signals, due);
            CapturedTables.copyRequested(c, slot, due);
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        again.remove(due);
        log.info("refresh copy of table {} requested (capture.refresh.interval.ms={})", SqlIdentifiers.quote(due),
                interval.toMillis());
    }
}
