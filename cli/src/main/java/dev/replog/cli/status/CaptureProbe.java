package dev.replog.cli.status;

import dev.replog.applier.deadletter.PoisonColumns;
import dev.replog.capture.CopyStates;
import dev.replog.capture.LeaderConnection;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Capture's state: its slot on the leader, the leader's position, and what the log's tail says it published. */
final class CaptureProbe {

    private CaptureProbe() {
    }

    /**
     * @param leader       the open leader connection, or null if it could not be opened ({@code leaderError} says why)
     * @param published    capture's last published LSN ({@link LastPublished})
     */
    static CaptureStatus probe(Connection leader, String leaderError, LeaderConnection at, String slot, String publication,
                               Lsn published) {
        if (leader == null) {
            return CaptureStatus.failed(slot, published, "leader " + at + ": " + leaderError);
        }
        try {
            Lsn current = currentLsn(leader);
            try (PreparedStatement ps = leader.prepareStatement("SELECT active, confirmed_flush_lsn::text,"
                    + " pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new CaptureStatus(slot, false, false, null, null, current, published, copiesWaiting(leader, slot,
                                publication), CopyStates.read(leader, slot), null);
                    }
                    String confirmed = rs.getString(2);
                    Long retained = rs.getObject(3) == null ? null : rs.getLong(3);
                    return new CaptureStatus(slot, true, rs.getBoolean(1), confirmed == null ? null : Lsn.parse(confirmed),
                            retained, current, published, copiesWaiting(leader, slot, publication),
                            CopyStates.read(leader, slot), null);
                }
            }
        } catch (SQLException e) {
            return CaptureStatus.failed(slot, published, "leader " + at + ": " + e.getMessage());
        }
    }

    /** Published tables, capture's own left out, that {@code replog.captured_tables} does not list for the slot (with their oid). */
    private static List<String> copiesWaiting(Connection leader, String slot, String publication) throws SQLException {
        List<String> out = new ArrayList<>();
        if (!PoisonColumns.tableExists(leader, "replog.captured_tables")) {
            return out;
        }
        try (PreparedStatement ps = leader.prepareStatement("SELECT n.nspname, c.relname FROM pg_publication p"
                + " JOIN pg_publication_rel r ON r.prpubid = p.oid JOIN pg_class c ON c.oid = r.prrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.pubname = ? AND n.nspname <> 'replog'"
                + " AND NOT EXISTS (SELECT 1 FROM replog.captured_tables t WHERE t.slot_name = ? AND t.table_schema = n.nspname"
                + " AND t.table_name = c.relname AND t.table_oid = c.oid) ORDER BY 1, 2")) {
            ps.setString(1, publication);
            ps.setString(2, slot);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TableId(rs.getString(1), rs.getString(2)).toString());
                }
            }
        }
        return out;
    }

    private static Lsn currentLsn(Connection leader) throws SQLException {
        try (PreparedStatement ps = leader.prepareStatement("SELECT pg_current_wal_lsn()::text"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }
}
