package dev.replog.applier.follower;

import dev.replog.schemas.Lsn;
import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Orders a truncate (or a schema change: any event capture copies into every partition) against
 * the events of every partition of its table's topic. Capture writes one
 * copy of the truncate to each partition; each copy's arrival is recorded in the follower (so this
 * works across applier instances and restarts), a partition whose copy arrived waits, and the copy
 * that arrives last truncates the table and releases the others. Rows written after the truncate
 * on any partition can therefore never be wiped by it.
 *
 * <p>Appliers of one group record arrivals in concurrent transactions, and under READ COMMITTED
 * neither would count the other's uncommitted arrival: two of them could each see fewer than all
 * and both wait forever. So arrivals of one truncate take turns (a transaction advisory lock), and
 * each counts after the previous one committed.
 */
public final class TruncateBarrier {

    /** One truncate: its topic and LSN. A partition whose copy arrived waits until it is executed. */
    public record Id(String topic, Lsn lsn) implements PartitionWait {

        @Override
        public boolean released(Connection c) throws SQLException {
            return TruncateBarrier.released(c, this);
        }

        @Override
        public String toString() {
            return "the truncate or schema change at LSN " + lsn + " (for the table's other partitions)";
        }
    }

    private TruncateBarrier() {
    }

    /** Records a copy's arrival; true if it was the last one and the table must be truncated now. */
    public static boolean arrive(Connection c, TopicPartition tp, Lsn lsn, int partitions) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('replog truncate ' || ? || ' ' || ?))")) {
            ps.setString(1, tp.topic());
            ps.setString(2, lsn.toString());
            ps.execute();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO replog.truncate_arrivals (topic, source_lsn, partition)
                VALUES (?, ?::pg_lsn, ?) ON CONFLICT DO NOTHING""")) {
            ps.setString(1, tp.topic());
            ps.setString(2, lsn.toString());
            ps.setInt(3, tp.partition());
            ps.executeUpdate();
        }
        if (arrivals(c, new Id(tp.topic(), lsn)) < partitions) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM replog.truncate_arrivals WHERE topic = ? AND source_lsn = ?::pg_lsn")) {
            ps.setString(1, tp.topic());
            ps.setString(2, lsn.toString());
            ps.executeUpdate();
        }
        return true;
    }

    /** True once the truncate has been executed (its arrivals are deleted in that transaction). */
    static boolean released(Connection c, Id id) throws SQLException {
        return arrivals(c, id) == 0;
    }

    /** The truncate a partition is still waiting at, if any (after a restart or rebalance). */
    public static Optional<Id> waitingAt(Connection c, TopicPartition tp) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT source_lsn::text FROM replog.truncate_arrivals WHERE topic = ? AND partition = ?")) {
            ps.setString(1, tp.topic());
            ps.setInt(2, tp.partition());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Id(tp.topic(), Lsn.parse(rs.getString(1)))) : Optional.empty();
            }
        }
    }

    private static int arrivals(Connection c, Id id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM replog.truncate_arrivals WHERE topic = ? AND source_lsn = ?::pg_lsn")) {
            ps.setString(1, id.topic());
            ps.setString(2, id.lsn().toString());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
