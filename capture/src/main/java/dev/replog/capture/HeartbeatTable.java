package dev.replog.capture;

import dev.replog.schemas.TableId;
import dev.replog.topology.TopicNames;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A one-row-per-slot table on the leader that capture updates every heartbeat interval. The table
 * is in the publication, so each beat is a small captured transaction, and the slot's confirmed
 * position keeps moving when only uncaptured tables are written: without it the leader would keep
 * WAL without bound behind an idle slot. Beats are not published to the log.
 */
final class HeartbeatTable {

    static final TableId TABLE = TopicNames.HEARTBEAT_TABLE;

    private HeartbeatTable() {
    }

    static void createIfMissing(Connection leader) throws SQLException {
        try (Statement s = leader.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS replog.heartbeat (slot_name text PRIMARY KEY, beat_at timestamptz NOT NULL)");
        }
    }

    /** The statement Debezium runs at every heartbeat; the slot name is validated as [a-z0-9_]+. */
    static String beatStatement(String slotName) {
        if (!slotName.matches("[a-z0-9_]+")) {
            throw new CaptureException("slot name '" + slotName + "' must be lower-case letters, digits and '_'");
        }
        return "INSERT INTO replog.heartbeat (slot_name, beat_at) VALUES ('" + slotName + "', now()) "
                + "ON CONFLICT (slot_name) DO UPDATE SET beat_at = EXCLUDED.beat_at";
    }

    static boolean isHeartbeat(TableId table) {
        return TABLE.equals(table);
    }
}
