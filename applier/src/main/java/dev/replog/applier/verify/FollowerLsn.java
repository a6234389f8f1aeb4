package dev.replog.applier.verify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * How far a follower has applied the leader's log, through the functions the applier keeps in
 * both apply modes ({@code replog.applied_lsn()}, {@code replog.wait_for_lsn()}; see
 * {@code AppliedLsn}), and the leader's side of the same question. A database without them (not a
 * Replog follower, or one whose applier has not reported an LSN yet) cannot be waited for: its
 * differences are reported as found, as if the leader were quiet.
 */
final class FollowerLsn {

    private FollowerLsn() {
    }

    /** Whether the follower answers {@code replog.applied_lsn()} with an LSN. */
    static boolean reported(Connection follower) throws SQLException {
        return has(follower, "replog.wait_for_lsn(pg_lsn,interval)") && applied(follower) != null;
    }

    /** The follower's applied LSN, or null if it has none (or no such function). */
    static String applied(Connection follower) throws SQLException {
        if (!has(follower, "replog.applied_lsn()")) {
            return null;
        }
        try (Statement s = follower.createStatement(); ResultSet rs = s.executeQuery("SELECT replog.applied_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean has(Connection c, String function) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regprocedure(?) IS NOT NULL")) {
            ps.setString(1, function);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Waits until the follower has applied every leader transaction committed at or before {@code lsn}; false on timeout. */
    static boolean await(Connection follower, String lsn, Duration timeout) throws SQLException {
        if (timeout.isNegative() || timeout.isZero()) {
            return false;
        }
        try (PreparedStatement ps = follower.prepareStatement("SELECT replog.wait_for_lsn(?::pg_lsn, ?::interval)")) {
            ps.setString(1, lsn);
            ps.setString(2, timeout.toMillis() + " milliseconds");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * The leader's WAL insert position, read as the first statement of the caller's repeatable-read
     * transaction, so at or after the commit of every transaction its snapshot sees. (The insert
     * position rather than {@code pg_current_wal_lsn()}, the write position: with
     * {@code synchronous_commit=off} a visible commit may not be written yet.)
     */
    static String leaderPosition(Connection leader) throws SQLException {
        try (Statement s = leader.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
