package dev.replog.capture;

import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies of captured tables asked for by an operator ({@code replog resnapshot}): for each table, a
 * request in capture's signal table, which the capture streaming from the slot reads in WAL order
 * and runs as an incremental snapshot, like the copy of a table published while it runs. A capture
 * that is not running reads the request when it next streams: the slot keeps the WAL from its last
 * acknowledged position on. Requests and the tables' {@code copy_state} are written in one
 * transaction.
 */
public final class CopyRequests {

    /**
     * @param refused   why each refused table cannot be copied; if any is, nothing was requested
     * @param requested the tables whose copy was requested
     * @param pending   tables whose copy capture has still to request itself (published while it runs): not requested again
     * @param streaming whether a capture streams from the slot now
     */
    public record Outcome(List<String> refused, List<TableId> requested, List<TableId> pending, boolean streaming) {
    }

    private CopyRequests() {
    }

    /** Asks the capture of these settings' slot to copy every row of {@code tables} into the log. */
    public static Outcome request(CaptureSettings s, List<TableId> tables) {
        String slot = s.slotName();
        try (Connection c = s.leader().open()) {
            Boolean streaming = slotActive(c, slot);
            if (streaming == null) {
                throw new CaptureException("slot " + slot + " does not exist on leader " + s.leader() + ": capture has not run "
                        + "with it (check capture.slot.name); its first start copies every captured table (the initial snapshot)");
            }
            Map<TableId, LeaderTables.Table> named = new LinkedHashMap<>();
            for (LeaderTables.Table t : new LeaderTables(s.tables()).read(c)) {
                named.put(t.id(), t);
            }
            Map<TableId, Long> published = LeaderPublication.members(c, s.publicationName());
            Map<TableId, Long> complete = CapturedTables.of(c, slot);
            List<String> refused = new ArrayList<>();
            List<TableId> requested = new ArrayList<>();
            List<TableId> pending = new ArrayList<>();
            for (TableId t : tables) {
                String why = refusal(t, named.get(t), published.containsKey(t), s);
                if (why != null) {
                    refused.add("table " + SqlIdentifiers.quote(t) + " " + why);
                } else if (!published.get(t).equals(complete.get(t))) {
                    pending.add(t);
                } else if (!requested.contains(t)) {
                    requested.add(t);
                }
            }
            if (!refused.isEmpty() || requested.isEmpty()) {
                return new Outcome(refused, List.of(), pending, streaming);
            }
            c.setAutoCommit(false);
            CapturedTables.createIfMissing(c);
            TableId signals = SnapshotSignals.tableFor(slot);
            for (TableId t : requested) {
                SnapshotSignals.requestSnapshot(c, signals, t);
                CapturedTables.copyRequested(c, slot, t);
            }
            c.commit();
            return new Outcome(refused, requested, pending, streaming);
        } catch (SQLException e) {
            throw new CaptureException("cannot request copies on leader " + s.leader() + ": " + e.getMessage(), e);
        }
    }

    private static String refusal(TableId t, LeaderTables.Table named, boolean published, CaptureSettings s) {
        if (named == null) {
            return "is not captured: capture.tables (" + String.join(", ", s.tables().stream().map(TableId::toString).toList())
                    + ") names no such table of the leader (names are case-sensitive)";
        }
        if (!named.publishable()) {
            return "is not captured: it " + named.problem();
        }
        if (!published) {
            return "is not captured yet: it is not in publication " + s.publicationName() + " (a running capture adds it at "
                    + "its next check and copies its rows; its log says why if it cannot)";
        }
        String problem = SnapshotSignals.problem(t);
        return problem == null ? null : "cannot be copied: " + problem;
    }

    /** Whether a process streams from the slot; null if there is no such slot. */
    private static Boolean slotActive(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT active FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }
}
