package dev.replog.applier.state;

import dev.replog.applier.deadletter.DeadLetterStore;
import dev.replog.applier.deadletter.PoisonColumns;
import dev.replog.applier.deadletter.PoisonEvent;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code replog.stopped_tables} on the follower: tables stopped at a poison event under
 * {@code apply.on.error=stop}, one row per table topic. Kept in the follower so that a restart, or
 * another applier instance of the group, does not resume a stopped table behind the operator's back.
 */
public final class StoppedTables {

    private StoppedTables() {
    }

    public static void createIfMissing(Connection c) throws SQLException {
        PoisonColumns.createTable(c, "replog.stopped_tables", "topic");
    }

    /** Records a stop; the first poison event of a table is the one it stays stopped at. */
    public static void record(Connection c, PoisonEvent e) throws SQLException {
        PoisonColumns.insert(c, "replog.stopped_tables", e);
    }

    /** Every stopped table topic with the event it stopped at. */
    public static Map<String, PoisonEvent> all(Connection c) throws SQLException {
        Map<String, PoisonEvent> out = new HashMap<>();
        if (!PoisonColumns.tableExists(c, "replog.stopped_tables")) {
            return out;
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + PoisonColumns.selectList() + " FROM replog.stopped_tables")) {
            while (rs.next()) {
                PoisonEvent e = PoisonColumns.read(rs);
                out.put(e.topic(), e);
            }
        }
        return out;
    }

    /**
     * Lets a stopped table go on: the applier re-tries its poison event (and any applier that runs
     * notices within seconds). With {@code skip}, the event is moved to {@code replog.dead_letters}
     * and (row mode: {@code movePosition}) the table's position past it, in one transaction, so applying
     * goes on after it. A transactional applier keeps the position: it reads the dead letters when it
     * positions itself and passes over the event, counting it as part of its transaction.
     *
     * @return the event the table was stopped at, or empty if it was not stopped
     */
    public static Optional<PoisonEvent> resume(Connection c, String topic, boolean skip, boolean movePosition) throws SQLException {
        Optional<PoisonEvent> stopped = Optional.ofNullable(all(c).get(topic));
        if (stopped.isEmpty()) {
            return stopped;
        }
        PoisonEvent e = stopped.get();
        if (skip) {
            DeadLetterStore.insert(c, e);
            if (movePosition) {
                PositionStore.advance(c, e.topic(), e.partition(), e.offset(), e.lsn());
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM replog.stopped_tables WHERE topic = ?")) {
            ps.setString(1, topic);
            ps.executeUpdate();
        }
        return stopped;
    }
}
