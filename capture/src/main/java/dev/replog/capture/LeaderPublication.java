package dev.replog.capture;

import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Creates the leader's publication, or brings its table list up to date, before Debezium starts.
 * Replog does this itself because Debezium 3.6 builds the statement without quoting table names
 * (a table named {@code Ta.ble "q"} breaks it). A capture pattern ({@code public.*}) needs a
 * publication FOR ALL TABLES, so that tables created later are published without a restart.
 */
final class LeaderPublication {

    private LeaderPublication() {
    }

    static void ensure(LeaderConnection leader, String publication, List<TableId> tables) {
        boolean allTables = tables.stream().anyMatch(DebeziumConfig::isPattern);
        String tableList = tables.stream().map(SqlIdentifiers::quote).collect(Collectors.joining(", "));
        try (Connection c = leader.open(); Statement s = c.createStatement()) {
            Boolean existingAllTables = existing(c, publication);
            String name = SqlIdentifiers.quote(publication);
            if (existingAllTables == null) {
                s.execute("CREATE PUBLICATION " + name + (allTables ? " FOR ALL TABLES" : " FOR TABLE " + tableList));
            } else if (allTables && !existingAllTables) {
                throw new CaptureException("publication " + publication + " on leader " + leader + " lists tables, but "
                        + "capture.tables has a pattern, which needs a publication FOR ALL TABLES: drop the publication "
                        + "(capture creates it again) or use another capture.publication.name");
            } else if (!existingAllTables) {
                s.execute("ALTER PUBLICATION " + name + " SET TABLE " + tableList);
            }
        } catch (SQLException e) {
            throw new CaptureException("cannot create or update publication " + publication + " on leader " + leader
                    + ": " + e.getMessage(), e);
        }
    }

    /** Null if there is no such publication, else whether it is FOR ALL TABLES. */
    private static Boolean existing(Connection c, String publication) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT puballtables FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }
}
