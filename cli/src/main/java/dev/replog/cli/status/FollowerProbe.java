package dev.replog.cli.status;

import dev.replog.applier.ApplyLag;
import dev.replog.applier.deadletter.DeadLetterStore;
import dev.replog.applier.deadletter.PoisonColumns;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.applier.state.StoppedTables;
import dev.replog.cli.status.FollowerStatus.PartitionStatus;
import dev.replog.cli.status.FollowerStatus.State;
import dev.replog.cli.status.FollowerStatus.Stop;
import dev.replog.cli.status.FollowerStatus.TableStatus;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.topology.TopicNames;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads one SQL follower's state: its {@code replog.*} tables (positions, stops, dead letters, mode,
 * applied LSN) and, through {@link ApplyLag}, what the log holds beyond its positions. Reads only.
 */
final class FollowerProbe {

    /** A leader table's row estimate, null if unknown (no leader configured, or no such table). */
    interface LeaderRows {
        Long of(TableId table);
    }

    private final ApplyLag lag;
    private final TopicNames topics;
    private final LeaderRows leaderRows;

    FollowerProbe(ApplyLag lag, TopicNames topics, LeaderRows leaderRows) {
        this.lag = lag;
        this.topics = topics;
        this.leaderRows = leaderRows;
    }

    /** @param sourceEnd the LSN WAL lag is measured to; null for no WAL figures */
    FollowerStatus probe(SqlFollowerTarget target, Lsn sourceEnd) {
        try (Connection c = target.connect()) {
            return probe(target.name(), c, sourceEnd);
        } catch (SQLException | RuntimeException e) {
            return FollowerStatus.unreachable(target.name(), e.getMessage());
        }
    }

    private FollowerStatus probe(String name, Connection c, Lsn sourceEnd) throws SQLException {
        Map<String, List<ApplyLag.PartitionLag>> byTopic = new TreeMap<>();
        for (ApplyLag.PartitionLag p : lag.measurePartitions(c, sourceEnd)) {
            byTopic.computeIfAbsent(p.partition().topic(), t -> new ArrayList<>()).add(p);
        }
        Map<String, PoisonEvent> stopped = StoppedTables.all(c);
        Map<String, Long> deadLetters = DeadLetterStore.countByTopic(c);
        Map<String, TableId> tables = knownTables(c);
        List<TableStatus> out = new ArrayList<>();
        for (Map.Entry<String, List<ApplyLag.PartitionLag>> e : byTopic.entrySet()) {
            out.add(table(c, e.getKey(), e.getValue(), tables.getOrDefault(e.getKey(), spelledBy(e.getKey())), stopped.get(e.getKey()),
                    deadLetters.getOrDefault(e.getKey(), 0L)));
        }
        out.sort(Comparator.comparing(TableStatus::table));
        return new FollowerStatus(name, null, mode(c), appliedLsn(c), Lag.combine(out.stream().map(TableStatus::lag).toList()),
                deadLetters.values().stream().mapToLong(Long::longValue).sum(), out);
    }

    private TableStatus table(Connection c, String topic, List<ApplyLag.PartitionLag> lags, TableId table, PoisonEvent stop,
                              long deadLetters) throws SQLException {
        List<PartitionStatus> partitions = new ArrayList<>();
        for (ApplyLag.PartitionLag p : lags) {
            partitions.add(new PartitionStatus(p.partition().partition(), p.appliedOffset(), p.appliedLsn(), Lag.of(p), p.snapshotPending()));
        }
        partitions.sort(Comparator.comparingInt(PartitionStatus::partition));
        Lag total = Lag.combine(partitions.stream().map(PartitionStatus::lag).toList());
        State state = stop != null ? State.STOPPED
                : partitions.stream().anyMatch(PartitionStatus::snapshotPending) ? State.SNAPSHOTTING
                : total.caughtUp() ? State.CAUGHT_UP : State.RUNNING;
        Double percent = state == State.SNAPSHOTTING && table != null ? snapshotPercent(c, table) : null;
        return new TableStatus(table == null ? PoisonEvent.tableOfTopic(topic) : table.toString(), topic, state,
                stop == null ? null : new Stop(stop.partition(), stop.offset(), stop.lsn(), oneLine(stop.reason()), stop.failedAt()),
                percent, deadLetters, total, partitions);
    }

    private Double snapshotPercent(Connection c, TableId table) throws SQLException {
        Long leader = leaderRows.of(table);
        Long follower = RowEstimates.follower(c, table);
        if (leader == null || leader <= 0) {
            return null;
        }
        // A follower without the table yet has none of its rows.
        return Math.min(100.0, Math.round(1000.0 * (follower == null ? 0 : follower) / leader) / 10.0);
    }

    /** The tables the follower has a definition of, by topic: a topic's name does not always spell its table. */
    private Map<String, TableId> knownTables(Connection c) throws SQLException {
        Map<String, TableId> out = new HashMap<>();
        if (!PoisonColumns.tableExists(c, "replog.table_definitions")) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT table_schema, table_name FROM replog.table_definitions");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                TableId t = new TableId(rs.getString(1), rs.getString(2));
                out.put(topics.forTable(t), t);
            }
        }
        return out;
    }

    /** A parser's error may span lines; a report's line must not. */
    private static String oneLine(String text) {
        return text == null ? null : text.replaceAll("\\s*\\R\\s*", " ");
    }

    /** The table a topic's name spells, if it spells one exactly (no name in it needed encoding); else null. */
    private TableId spelledBy(String topic) {
        String[] parts = PoisonEvent.tableOfTopic(topic).split("\\.", 2);
        if (parts.length != 2) {
            return null;
        }
        TableId t = new TableId(parts[0], parts[1]);
        return topics.forTable(t).equals(topic) ? t : null;
    }

    private static String mode(Connection c) throws SQLException {
        if (!PoisonColumns.tableExists(c, "replog.follower")) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT mode FROM replog.follower"); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static Lsn appliedLsn(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regprocedure('replog.applied_lsn()') IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || !rs.getBoolean(1)) {
                return null;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT replog.applied_lsn()::text"); ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getString(1) != null ? Lsn.parse(rs.getString(1)) : null;
        }
    }
}
