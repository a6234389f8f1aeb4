package dev.replog.cli.status;

import dev.replog.capture.LeaderConnection;
import dev.replog.schemas.Lsn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Capture's state: its slot on the leader, the leader's position, and what the log's tail says it published. */
final class CaptureProbe {

    private CaptureProbe() {
    }

    /**
     * @param leader       the open leader connection, or null if it could not be opened ({@code leaderError} says why)
     * @param published    capture's last published LSN ({@link LastPublished})
     */
    static CaptureStatus probe(Connection leader, String leaderError, LeaderConnection at, String slot, Lsn published) {
        if (leader == null) {
            return new CaptureStatus(slot, false, false, null, null, null, published, "leader " + at + ": " + leaderError);
        }
        try {
            Lsn current = currentLsn(leader);
            try (PreparedStatement ps = leader.prepareStatement("SELECT active, confirmed_flush_lsn::text,"
                    + " pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new CaptureStatus(slot, false, false, null, null, current, published, null);
                    }
                    String confirmed = rs.getString(2);
                    Long retained = rs.getObject(3) == null ? null : rs.getLong(3);
                    return new CaptureStatus(slot, true, rs.getBoolean(1), confirmed == null ? null : Lsn.parse(confirmed),
                            retained, current, published, null);
                }
            }
        } catch (SQLException e) {
            return new CaptureStatus(slot, false, false, null, null, null, published, "leader " + at + ": " + e.getMessage());
        }
    }

    private static Lsn currentLsn(Connection leader) throws SQLException {
        try (PreparedStatement ps = leader.prepareStatement("SELECT pg_current_wal_lsn()::text"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }
}
