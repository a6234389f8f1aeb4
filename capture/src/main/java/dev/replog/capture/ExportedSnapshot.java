package dev.replog.capture;

import dev.replog.schemas.Lsn;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.ReplicationSlotInfo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A new logical replication slot (pgoutput) and the snapshot PostgreSQL exported when it created it
 * ({@code CREATE_REPLICATION_SLOT ... LOGICAL pgoutput}, which exports by default): the snapshot sees
 * exactly the transactions committed before the slot's consistent point, and the slot streams
 * exactly those committed after it. The snapshot can be imported ({@code SET TRANSACTION SNAPSHOT})
 * only while the replication connection that created the slot stays open and runs no other command:
 * this object holds it until {@link #close()}. The slot itself is permanent.
 */
final class ExportedSnapshot implements AutoCloseable {

    private final Connection replication;
    private final String snapshotName;
    private final Lsn consistentPoint;

    private ExportedSnapshot(Connection replication, String snapshotName, Lsn consistentPoint) {
        this.replication = replication;
        this.snapshotName = snapshotName;
        this.consistentPoint = consistentPoint;
    }

    static ExportedSnapshot createSlot(LeaderConnection leader, String slot) throws SQLException {
        Properties p = leader.jdbcProperties();
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        Connection c = DriverManager.getConnection(leader.jdbcUrl(), p);
        try {
            ReplicationSlotInfo info = c.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot().logical()
                    .withSlotName(slot).withOutputPlugin("pgoutput").make();
            if (info.getSnapshotName() == null) {
                throw new CaptureException("leader " + leader + " created slot " + slot + " without exporting a snapshot");
            }
            return new ExportedSnapshot(c, info.getSnapshotName(), Lsn.parse(info.getConsistentPoint().asString()));
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    String snapshotName() {
        return snapshotName;
    }

    /** Where the slot's stream starts: the snapshot holds every transaction committed before it. */
    Lsn consistentPoint() {
        return consistentPoint;
    }

    /** Ends the snapshot's life (the slot stays). */
    @Override
    public void close() throws SQLException {
        replication.close();
    }
}
