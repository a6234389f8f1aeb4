package dev.replog.applier.transactional;

import dev.replog.applier.FollowerConnection;
import dev.replog.topology.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.function.BooleanSupplier;

/**
 * The one active transactional applier of a follower: a session-level advisory lock held on a
 * connection of its own for as long as the applier applies. A second transactional applier of the
 * follower stands by (one INFO line naming the holder, then quiet) and takes over when the lock's
 * session ends: the holder stopped, crashed, or its host vanished (the session's TCP keepalives
 * notice that within about half a minute). A holder that lost its session without noticing is kept
 * from writing by the partition epochs ({@link dev.replog.applier.state.PartitionOwners}): the new
 * holder claims every partition before it applies anything.
 */
public final class ActiveLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ActiveLease.class);
    /** Advisory lock key: "REPL" and 1, the transactional applier of this database. */
    private static final int KEY_CLASS = 0x5245504C;
    private static final int KEY_OBJECT = 1;
    private static final Duration STANDBY_POLL = Duration.ofSeconds(1);

    private final FollowerConnection follower;
    private final String applier;
    private Connection session;

    ActiveLease(FollowerConnection follower, String applier) {
        this.follower = follower;
        this.applier = applier;
    }

    /**
     * Holds the lease, standing by until it is free.
     *
     * @return false if {@code stopping} turned true first
     */
    boolean acquire(BooleanSupplier stopping) {
        boolean announced = false;
        String lastProblem = null;
        while (!stopping.getAsBoolean()) {
            try {
                if (isHeld()) {
                    return true;
                }
                if (tryTake()) {
                    if (announced) {
                        log.info("transactional applier {} took over follower {}", applier, follower);
                    }
                    return true;
                }
                if (!announced) {
                    log.info("follower {} is applied by another transactional applier ({}); {} stands by until it stops",
                            follower, holder(), applier);
                    announced = true;
                }
            } catch (SQLException e) {
                release();
                if (!java.util.Objects.equals(e.getMessage(), lastProblem)) {
                    log.warn("cannot take the transactional applier's lease on follower {}: {}; retrying every {} s",
                            follower, e.getMessage(), STANDBY_POLL.toSeconds());
                    lastProblem = e.getMessage();
                }
            }
            Backoff.sleep(STANDBY_POLL);
        }
        return false;
    }

    /** Whether this applier holds the lease now, on a live session. */
    boolean isHeld() {
        if (session == null) {
            return false;
        }
        try (PreparedStatement ps = session.prepareStatement("""
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                  AND classid = ?::oid AND objid = ?::oid AND objsubid = 2""")) {
            ps.setInt(1, KEY_CLASS);
            ps.setInt(2, KEY_OBJECT);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        } catch (SQLException e) {
            log.warn("transactional applier {} lost its lease's session on follower {}: {}", applier, follower, e.getMessage());
            release();
            return false;
        }
    }

    private boolean tryTake() throws SQLException {
        if (session == null) {
            Properties p = follower.jdbcProperties("replog lease " + applier);
            p.setProperty("connectTimeout", "10");
            session = DriverManager.getConnection(follower.jdbcUrl(), p);
            try (Statement s = session.createStatement()) {
                // The server drops the session, and so frees the lease, ~25 s after this host vanishes.
                s.execute("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3");
            }
        }
        try (PreparedStatement ps = session.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            ps.setInt(1, KEY_CLASS);
            ps.setInt(2, KEY_OBJECT);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Who holds the lease of this follower's database now, as PostgreSQL sees its session; empty if
     * no transactional applier is active on it.
     */
    public static java.util.Optional<String> activeHolder(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ?::oid AND l.objid = ?::oid AND l.objsubid = 2
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())""")) {
            ps.setInt(1, KEY_CLASS);
            ps.setInt(2, KEY_OBJECT);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? java.util.Optional.of("'" + rs.getString(1) + "' (backend pid " + rs.getInt(2) + ")")
                        : java.util.Optional.empty();
            }
        }
    }

    /** Who holds the lease, as PostgreSQL sees its session. */
    private String holder() throws SQLException {
        try (PreparedStatement ps = session.prepareStatement("""
                SELECT a.application_name, a.client_addr::text, a.pid, a.backend_start::text
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ?::oid AND l.objid = ?::oid AND l.objsubid = 2
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())""")) {
            ps.setInt(1, KEY_CLASS);
            ps.setInt(2, KEY_OBJECT);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "just released";
                }
                return "'" + rs.getString(1) + "' from " + (rs.getString(2) == null ? "a local socket" : rs.getString(2))
                        + ", backend pid " + rs.getInt(3) + ", connected since " + rs.getString(4);
            }
        }
    }

    /** Frees the lease (closing its session), if held. */
    void release() {
        if (session == null) {
            return;
        }
        try {
            session.close();
        } catch (SQLException ignored) {
            // A broken session: the server has freed the lock with it.
        }
        session = null;
    }

    @Override
    public void close() {
        release();
    }
}
