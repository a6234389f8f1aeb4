package dev.replog.applier.state;

import dev.replog.schemas.Lsn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * The follower's applied-LSN watermark, {@code replog.watermark}: the commit LSN of the last leader
 * transaction applied, written in the same transaction as its rows. In transactional mode every
 * leader transaction with a commit LSN at or below it is visible on the follower and none above it
 * is, so a reader holding an LSN token (the leader's {@code pg_current_wal_lsn()} after its commit)
 * reads its own writes once the watermark has reached the token: {@code replog.wait_for_lsn} (see
 * {@link AppliedLsn}).
 */
public final class WatermarkStore {

    /** The last applied transaction. */
    public record Watermark(Lsn commitLsn, Instant commitTime, Instant appliedAt) {
    }

    private WatermarkStore() {
    }

    public static void createIfMissing(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS replog.watermark (
                        singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
                        commit_lsn  pg_lsn      NOT NULL,
                        commit_time timestamptz,
                        applied_at  timestamptz NOT NULL DEFAULT now())""");
        }
    }

    public static void save(Connection c, Lsn commitLsn, Instant commitTime) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO replog.watermark (singleton, commit_lsn, commit_time, applied_at)
                VALUES (true, ?::pg_lsn, ?, now())
                ON CONFLICT (singleton) DO UPDATE
                SET commit_lsn = EXCLUDED.commit_lsn, commit_time = EXCLUDED.commit_time, applied_at = EXCLUDED.applied_at""")) {
            ps.setString(1, commitLsn.toString());
            ps.setTimestamp(2, commitTime == null ? null : Timestamp.from(commitTime));
            ps.executeUpdate();
        }
    }

    /** The watermark, or empty before the first transaction (after the initial snapshot) is applied. */
    public static Optional<Watermark> load(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('replog.watermark') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return Optional.empty();
            }
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT commit_lsn::text, commit_time, applied_at FROM replog.watermark")) {
            if (!rs.next()) {
                return Optional.empty();
            }
            Timestamp commit = rs.getTimestamp(2);
            return Optional.of(new Watermark(Lsn.parse(rs.getString(1)), commit == null ? null : commit.toInstant(),
                    rs.getTimestamp(3).toInstant()));
        }
    }
}
