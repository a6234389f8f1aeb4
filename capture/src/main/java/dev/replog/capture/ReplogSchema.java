package dev.replog.capture;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The leader schema {@code replog} that holds capture's own tables: the heartbeat row
 * ({@link HeartbeatTable}), the snapshot signals ({@link SnapshotSignals}) and the tables whose
 * rows the log holds completely ({@link CapturedTables}).
 */
final class ReplogSchema {

    static final String NAME = "replog";

    private ReplogSchema() {
    }

    /**
     * Creates the schema unless it exists. PostgreSQL checks CREATE on the database before it looks
     * whether a schema exists, even for CREATE SCHEMA IF NOT EXISTS: a schema an administrator made
     * for the capture user ({@code CREATE SCHEMA replog AUTHORIZATION ...}) spares that privilege.
     */
    static void ensure(Connection c, LeaderConnection leader) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM pg_namespace WHERE nspname = '" + NAME + "'")) {
            if (rs.next()) {
                return;
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + NAME);
        } catch (SQLException e) {
            throw new CaptureException("cannot create schema " + NAME + " on leader " + leader + " (" + e.getMessage().trim()
                    + "): capture keeps its heartbeat and snapshot signals there. Grant the user CREATE on the database "
                    + "(GRANT CREATE ON DATABASE ... TO " + leader.user() + "), or have an administrator create the schema "
                    + "for it: CREATE SCHEMA " + NAME + " AUTHORIZATION " + leader.user() + " (README, \"Privileges\")", e);
        }
    }
}
