package dev.replog.applier.rebuild;

import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplyException;
import dev.replog.applier.ApplyMode;
import dev.replog.applier.state.FollowerIdentity;
import dev.replog.applier.state.PositionStore;
import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;
import dev.replog.topology.TopicNames;

import dev.replog.applier.state.PositionStore;
import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Empties what a rebuild replays, in one follower transaction: drops the tables (the replay creates
 * them again from the log's definitions, exactly as the leader had them) and deletes Replog's state
 * of them (positions, partition claims, definitions, truncate arrivals, stops, dead letters, key
 * moves; for the whole follower also the transactional watermark). Nothing is dropped if any table
 * cannot be: PostgreSQL refuses a table another object (a view, a foreign key) depends on.
 */
final class FollowerReset {

    private static final List<String> STATE_BY_TOPIC = List.of("replog.positions", "replog.partition_owners",
            "replog.truncate_arrivals", "replog.stopped_tables", "replog.dead_letters", "replog.moved_rows");

    private FollowerReset() {
    }

    /** Where the log is read from: positions of every partition, their claims, and the transactional watermark. */
    private static final List<String> READ_POSITIONS = List.of("replog.positions", "replog.partition_owners",
            "replog.truncate_arrivals", "replog.watermark");

    /**
     * @param tables      the tables to rebuild; empty: every table the follower has from the log, and
     *                    all of Replog's state
     * @param wholeLog    the replay reads every partition from the start (and writes only {@code
     *                    tables}): every position and the watermark are reset too
     * @param pointInTime what the follower becomes a copy of, or null if it follows the log afterwards
     * @return the tables dropped
     */
    /** @param startAfter positions to store after the reset, in its transaction: where partitions start (else at 0) */
    static List<TableId> reset(Connection c, TopicNames topics, List<TableId> tables, boolean wholeLog, String groupId,
                               ApplyMode mode, String pointInTime, Map<TopicPartition, Long> startAfter) throws SQLException {
        ApplierService.createStateTables(c);
        boolean whole = tables.isEmpty();
        Set<TableId> drop = new LinkedHashSet<>(tables);
        if (whole) {
            drop.addAll(definedTables(c));
        }
        List<TableId> dropped = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            for (TableId t : drop) {
                if (exists(c, t)) {
                    s.execute("DROP TABLE " + SqlIdentifiers.quote(t));
                    dropped.add(t);
                }
            }
            if (whole) {
                for (String table : STATE_BY_TOPIC) {
                    s.execute("DELETE FROM " + table);
                }
                s.execute("DELETE FROM replog.table_definitions");
            }
            if (whole || wholeLog) {
                for (String table : READ_POSITIONS) {
                    s.execute("DELETE FROM " + table);
                }
            }
        } catch (SQLException e) {
            c.rollback();
            if ("2BP01".equals(e.getSQLState())) {
                throw new ApplyException("cannot rebuild: " + e.getMessage().replace("\n", " ") + ". A rebuild drops the "
                        + "table and replays it from the log; drop or change the objects that depend on it first "
                        + "(nothing was changed on the follower)", e);
            }
            throw e;
        }
        if (!whole) {
            for (TableId t : tables) {
                String topic = topics.forTable(t);
                for (String table : STATE_BY_TOPIC) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE topic = ?")) {
                        ps.setString(1, topic);
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM replog.table_definitions WHERE table_schema = ? AND table_name = ?")) {
                    ps.setString(1, t.schema());
                    ps.setString(2, t.table());
                    ps.executeUpdate();
                }
            }
        }
        FollowerIdentity.rebuilding(c, groupId, mode, pointInTime);
        PositionStore.startAfter(c, startAfter);
        c.commit();
        return dropped;
    }

    private static List<TableId> definedTables(Connection c) throws SQLException {
        List<TableId> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT table_schema, table_name FROM replog.table_definitions ORDER BY 1, 2")) {
            while (rs.next()) {
                out.add(new TableId(rs.getString(1), rs.getString(2)));
            }
        }
        return out;
    }

    private static boolean exists(Connection c, TableId t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, SqlIdentifiers.quote(t));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
