package dev.replog.capture;

import dev.replog.metrics.ReplogMetric;
import dev.replog.metrics.Sample;
import dev.replog.metrics.ServiceMetrics;
import dev.replog.schemas.Lsn;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads capture's slot from the leader's {@code pg_replication_slots} every sample period (never per
 * event): the confirmed LSN, the WAL the leader retains for it, and whether it is streamed. A slot
 * that holds ever more WAL fills the leader's disk: this is what its alert watches.
 */
final class SlotMonitor implements AutoCloseable {

    private static final String QUERY = "SELECT confirmed_flush_lsn::text, "
            + "pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, active "
            + "FROM pg_catalog.pg_replication_slots WHERE slot_name = ?";

    private final LeaderConnection leader;
    private final String slot;
    private final Sample sample;
    private Connection connection;
    private boolean closed;
    private volatile double confirmedLsn = Double.NaN;
    private volatile double retainedBytes = Double.NaN;
    private volatile double active = Double.NaN;

    SlotMonitor(LeaderConnection leader, String slot, ServiceMetrics metrics) {
        this.leader = leader;
        this.slot = slot;
        ReplogMetric.CAPTURE_SLOT_CONFIRMED_LSN.gauge(metrics.registry(), this, m -> m.confirmedLsn);
        ReplogMetric.CAPTURE_SLOT_RETAINED_WAL.gauge(metrics.registry(), this, m -> m.retainedBytes);
        ReplogMetric.CAPTURE_SLOT_ACTIVE.gauge(metrics.registry(), this, m -> m.active);
        this.sample = metrics.every("slot " + slot + " on leader " + leader, this::measure);
    }

    private synchronized void measure() throws SQLException {
        if (closed) {
            return; // capture stopped; the service's metrics may outlive it
        }
        try {
            if (connection == null || connection.isClosed()) {
                connection = leader.open();
            }
            try (PreparedStatement ps = connection.prepareStatement(QUERY)) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        confirmedLsn = rs.getString(1) == null ? Double.NaN : Lsn.parse(rs.getString(1)).value();
                        long retained = rs.getLong(2);
                        retainedBytes = rs.wasNull() ? Double.NaN : retained;
                        active = rs.getBoolean(3) ? 1 : 0;
                    } else {
                        // Not created yet (Debezium creates it when it first starts): nothing retained.
                        confirmedLsn = Double.NaN;
                        retainedBytes = Double.NaN;
                        active = 0;
                    }
                }
            }
        } catch (SQLException e) {
            closeConnection();
            throw e;
        }
    }

    Sample sample() {
        return sample;
    }

    private synchronized void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Broken already.
            }
            connection = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeConnection();
    }
}
