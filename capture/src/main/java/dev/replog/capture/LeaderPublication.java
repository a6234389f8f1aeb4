package dev.replog.capture;

import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Keeps the leader's publication listing exactly the tables capture captures: every table
 * {@code capture.tables} names (a pattern such as {@code public.*} included) that may be published,
 * plus capture's own heartbeat and signal tables. Never FOR ALL TABLES: that needs a superuser and
 * makes PostgreSQL refuse UPDATE and DELETE on every table of the leader that has no primary key or
 * replica identity. A table that may not be published (no primary key, REPLICA IDENTITY NOTHING) is
 * left out with one WARN line saying what to do, so the leader's own writes behave exactly as
 * without Replog. Checked at start and then every {@code capture.publication.refresh.ms}: tables
 * created, dropped, or given or losing their primary key are added or dropped with ALTER PUBLICATION.
 *
 * <p>A table published after the slot exists has rows the stream will never carry: those written
 * before it was published. Its rows are copied by a Debezium incremental snapshot, requested through
 * {@link SnapshotSignals} once every transaction that was open when the table was seen published has
 * ended; such a transaction may have written the table before it was published, and only once it
 * has ended are those rows visible to the snapshot. Every later change is published and streamed.
 * The request and the record that the table is complete ({@link CapturedTables}) are written in one
 * transaction, so a capture stopped at any moment requests it again after its restart, never twice.
 *
 * <p>Replog does this itself, not Debezium, also because Debezium 3.6 builds its publication
 * statement without quoting table names (a table named {@code Ta.ble "q"} breaks it).
 */
final class LeaderPublication implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaderPublication.class);

    private final LeaderConnection leader;
    private final String publication;
    private final String slot;
    private final TimetzOffsets timetzOffsets;
    private volatile LeaderTables named;
    private volatile List<TableId> tables;
    private final CopyProgress copies = new CopyProgress(this::copyFailed);
    /** Refresh copies and where they start; null when capture.refresh.interval.ms is 0. */
    private final RefreshCopies refreshCopies;
    private final CopyLog copyLog;
    private final TableId signals;
    /** Capture's own tables, always published, never copied by a snapshot. */
    private final Set<TableId> own;
    /** Warnings already given, by table and text: each is logged once while it holds. */
    private final Map<Object, String> warned = new HashMap<>();
    /** Per table oid published but not yet complete: the transactions open when it was seen published. */
    private final Map<Long, String> openWhenPublished = new HashMap<>();
    /** Copies Debezium gave up on, as it names the table ({@code schema.table}) with its status; from its thread. */
    private final Queue<String[]> failedCopies = new ConcurrentLinkedQueue<>();
    private volatile Set<TableId> published = Set.of();
    private Connection connection;

    /** @param refresh how often every table is copied again (capture.refresh.interval.ms); zero: never */
    LeaderPublication(LeaderConnection leader, String publication, String slot, List<TableId> tables, Duration refresh,
                      TimetzOffsets timetzOffsets) {
        this.leader = leader;
        this.timetzOffsets = timetzOffsets;
        this.publication = publication;
        this.slot = slot;
        this.tables = List.copyOf(tables);
        this.named = new LeaderTables(tables);
        this.signals = SnapshotSignals.tableFor(slot);
        this.own = Set.of(HeartbeatTable.TABLE, signals);
        this.refreshCopies = refresh.isZero() ? null : new RefreshCopies(slot, signals, refresh);
        this.copyLog = refresh.isZero() ? null : new CopyLog(copies, refreshCopies::copyAgain);
    }

    /** Where refresh copies start and which are complete; null when they are off. */
    CopyLog copyLog() {
        return copyLog;
    }

    /** What hears Debezium's notifications of copies. */
    CopyNotifications.Listener notifications() {
        return copyLog != null ? copyLog : copies;
    }

    /** The capture.tables entries the publication follows. */
    List<TableId> tables() {
        return tables;
    }

    /**
     * Follows other capture.tables entries from the next check on: tables they name are added (and
     * their rows copied), tables they no longer name are dropped. Only once Debezium streams with a
     * filter that lets the added tables' changes through (CaptureService).
     */
    void tables(List<TableId> entries) {
        this.named = new LeaderTables(entries);
        this.tables = List.copyOf(entries);
    }

    /** The copies Debezium runs, as capture sees them. */
    CopyProgress copies() {
        return copies;
    }

    TableId signalTable() {
        return signals;
    }

    /** The tables in the publication after the last check, capture's own included. */
    Set<TableId> published() {
        return published;
    }

    /**
     * Before Debezium starts: refuses a publication FOR ALL TABLES, creates the publication if it is
     * missing, and brings its table list up to date. A table named exactly in capture.tables that
     * cannot be added stops capture; one matched by a pattern is left out with a WARN line.
     */
    void start() {
        try {
            Connection c = connection();
            Boolean allTables = allTables(c);
            if (Boolean.TRUE.equals(allTables)) {
                throw new CaptureException(allTablesRefusal());
            }
            boolean slotExists = slotExists(c);
            if (allTables == null) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE PUBLICATION " + SqlIdentifiers.quote(publication) + " FOR TABLE "
                            + SqlIdentifiers.quote(HeartbeatTable.TABLE) + ", " + SqlIdentifiers.quote(signals));
                }
                log.info("created publication {} on leader {}", publication, leader);
            }
            Map<TableId, Long> before = members(c);
            Map<TableId, Long> after = reconcile(c, true);
            Map<TableId, Long> complete = CapturedTables.of(c, slot);
            if (!slotExists || complete.isEmpty()) {
                // No slot yet: Debezium creates it after this, and its initial snapshot (or no_data) decides
                // about every row written before. A first start of this Replog version on an existing slot:
                // the tables published before it were streamed by the version before.
                Map<TableId, Long> covered = slotExists ? before : after;
                for (Map.Entry<TableId, Long> m : after.entrySet()) {
                    if (own.contains(m.getKey()) || m.getValue().equals(covered.get(m.getKey()))) {
                        CapturedTables.put(c, slot, m.getKey(), m.getValue());
                    }
                }
                complete = CapturedTables.of(c, slot);
            }
            completeNewTables(c, after, complete, slotExists);
        } catch (SQLException e) {
            throw new CaptureException("cannot create or update publication " + publication + " on leader " + leader
                    + ": " + e.getMessage(), e);
        }
    }

    /** Debezium gave up copying this table ({@link CopyNotifications}): it is copied again from the next check on. */
    void copyFailed(String table, String status) {
        failedCopies.add(new String[] {table, status});
    }

    /** One periodic check; a failure is logged (once while it repeats) and retried at the next check. */
    void refresh() {
        try {
            Connection c = connection();
            writeCopyProgress(c);
            Map<TableId, Long> members = reconcile(c, false);
            copyAgainWhatFailed(c, members);
            completeNewTables(c, members, CapturedTables.of(c, slot), slotExists(c));
            if (refreshCopies != null) {
                refreshCopies.requestDue(c, members, own);
            }
            warned.remove(null);
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            warnOnce(null, "cannot check publication " + publication + " on leader " + leader + " (" + e.getMessage()
                    + "); tables created or dropped meanwhile are published or dropped at a later check");
        }
    }

    /** Writes what changed about copies into replog.captured_tables. */
    private void writeCopyProgress(Connection c) throws SQLException {
        Map<String, CopyProgress.Copy> changes = copies.unwritten();
        if (changes.isEmpty()) {
            return;
        }
        Map<TableId, Long> members = members(c);
        for (Map.Entry<String, CopyProgress.Copy> change : changes.entrySet()) {
            for (TableId t : members.keySet()) {
                if ((t.schema() + "." + t.table()).equals(change.getKey())) {
                    CapturedTables.copyProgress(c, slot, t, change.getValue());
                }
            }
        }
        copies.written(changes);
    }

    /** Makes the tables whose copy Debezium gave up on incomplete again, so that it is requested again. */
    private void copyAgainWhatFailed(Connection c, Map<TableId, Long> members) throws SQLException {
        for (String[] f = failedCopies.peek(); f != null; f = failedCopies.peek()) {
            for (TableId t : members.keySet()) {
                if ((t.schema() + "." + t.table()).equals(f[0])) {
                    CapturedTables.remove(c, slot, t);
                    if (!f[1].equals(warned.put(List.of(t, "copy"), f[1]))) {
                        log.error("rows of table {} written before it was published could not be copied (Debezium's incremental "
                                + "snapshot ended with {}; its log says why, e.g. a missing SELECT privilege: README, "
                                + "\"Privileges\"). Capture asks for the copy again at every check until it succeeds; the "
                                + "table's streamed changes go on meanwhile", SqlIdentifiers.quote(t), f[1]);
                    }
                }
            }
            failedCopies.poll();
        }
    }

    /**
     * Adds the tables that should be published and are not, drops those that are and should not be.
     *
     * @return the publication's tables afterwards, with their oids
     */
    private Map<TableId, Long> reconcile(Connection c, boolean atStart) throws SQLException {
        Map<TableId, Long> members = members(c);
        Set<TableId> wanted = new LinkedHashSet<>(own);
        Map<TableId, LeaderTables.Table> byId = new LinkedHashMap<>();
        for (LeaderTables.Table t : named.read(c)) {
            byId.put(t.id(), t);
            if (t.publishable()) {
                wanted.add(t.id());
                forget(t.id());
            } else {
                leftOut(t, members.containsKey(t.id()));
            }
        }
        boolean changed = false;
        for (TableId t : wanted) {
            if (!members.containsKey(t)) {
                String sql = "ALTER PUBLICATION " + SqlIdentifiers.quote(publication) + " ADD TABLE " + SqlIdentifiers.quote(t);
                try (Statement s = c.createStatement()) {
                    if (byId.containsKey(t) && !byId.get(t).owned()) {
                        // Refused for certain: asked again at every check, it would fill the leader's log with errors.
                        throw new SQLException("must be owner of table " + t.table(), "42501");
                    }
                    if (byId.containsKey(t) && !byId.get(t).exact()) {
                        // Checked at start for a named table (LeaderPreflight); for one a pattern matches, now.
                        TimetzDomain.apply(c, List.of(t), timetzOffsets);
                    }
                    s.execute(sql);
                    log.info("added table {} to publication {}", SqlIdentifiers.quote(t), publication);
                    changed = true;
                } catch (CaptureException e) {
                    warnOnce(List.of(t, "add"), true, "table " + SqlIdentifiers.quote(t) + " is not published: " + e.getMessage());
                } catch (SQLException e) {
                    boolean exact = byId.containsKey(t) && byId.get(t).exact();
                    String message = "cannot add table " + SqlIdentifiers.quote(t) + " to publication " + publication
                            + " on leader " + leader + " (" + e.getMessage().trim() + "): "
                            + ownerHint(e, sql, byId.containsKey(t) ? byId.get(t).owner() : null);
                    if ((atStart && exact) || own.contains(t)) {
                        throw new CaptureException(message, e);
                    }
                    warnOnce(List.of(t, "add"), message);
                }
            }
        }
        for (TableId t : members.keySet()) {
            if (!wanted.contains(t)) {
                String sql = "ALTER PUBLICATION " + SqlIdentifiers.quote(publication) + " DROP TABLE " + SqlIdentifiers.quote(t);
                try (Statement s = c.createStatement()) {
                    s.execute(sql);
                    changed = true;
                    log.info("dropped table {} from publication {}: {}", SqlIdentifiers.quote(t), publication,
                            byId.containsKey(t) ? "it may not be published (see above)" : "capture.tables does not name it");
                } catch (SQLException e) {
                    warnOnce(List.of(t, "drop"), "cannot drop table " + SqlIdentifiers.quote(t) + " from publication " + publication + " ("
                            + e.getMessage().trim() + "): " + ownerHint(e, sql, null));
                }
            }
        }
        if (changed) {
            members = members(c);
        }
        published = Set.copyOf(members.keySet());
        return members;
    }

    /**
     * Requests a snapshot of each published table not yet complete, once the transactions open when
     * it was seen published have ended; forgets tables no longer published.
     */
    private void completeNewTables(Connection c, Map<TableId, Long> members, Map<TableId, Long> complete, boolean slotExists)
            throws SQLException {
        for (Map.Entry<TableId, Long> k : complete.entrySet()) {
            if (!members.containsKey(k.getKey())) {
                CapturedTables.remove(c, slot, k.getKey());
            }
        }
        openWhenPublished.keySet().retainAll(members.values());
        for (Map.Entry<TableId, Long> m : members.entrySet()) {
            TableId table = m.getKey();
            long oid = m.getValue();
            if (Long.valueOf(oid).equals(complete.get(table))) {
                continue;
            }
            if (own.contains(table)) {
                CapturedTables.put(c, slot, table, oid);
                continue;
            }
            if (!slotExists) {
                continue; // a signal before the slot's start would never be read
            }
            // Taken after the table was seen published, so it holds every transaction that may have written
            // the table unpublished and not committed yet.
            String open = openWhenPublished.computeIfAbsent(oid, o -> currentSnapshot(c));
            if (!ended(c, open)) {
                continue;
            }
            String problem = SnapshotSignals.problem(table);
            c.setAutoCommit(false);
            try {
                if (problem == null) {
                    SnapshotSignals.requestSnapshot(c, signals, table);
                    CapturedTables.putCopyRequested(c, slot, table, oid);
                } else {
                    CapturedTables.put(c, slot, table, oid);
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            openWhenPublished.remove(oid);
            if (problem == null) {
                log.info("table {} is published: capture copies its rows (incremental snapshot) while streaming its changes",
                        SqlIdentifiers.quote(table));
            } else {
                log.warn("table {} is published, but rows written to it before cannot be copied: {}. Rename it to "
                        + "have them copied (README, \"Names\")", SqlIdentifiers.quote(table), problem);
            }
        }
    }

    /**
     * Says once why a table capture.tables names is not published: dropped from the publication now,
     * or left out. A column capture cannot carry is an ERROR: its rows would reach followers that
     * cannot apply them, so the table is not replicated at all.
     */
    private void leftOut(LeaderTables.Table t, boolean wasPublished) {
        boolean refused = t.refusedColumn();
        String table = "table " + SqlIdentifiers.quote(t.id()) + " (capture.tables entry " + t.entry() + ") " + t.problem()
                + "; capture then publishes it ";
        String left = table + "and copies its rows. Until then capture leaves it out of publication " + publication
                + " and does not replicate it" + (refused ? "" : ": published, PostgreSQL would refuse UPDATE and DELETE on it")
                + ". To leave it out for good, narrow capture.tables.";
        if (wasPublished) {
            warnOnce(t.id(), refused, table + "again and copies its rows. Capture drops it from publication " + publication
                    + (refused ? " now and does not replicate it meanwhile: its follower copy stops changing."
                    : " now, so that PostgreSQL keeps accepting UPDATE and DELETE on it: its follower copy stops changing, and "
                    + "rows deleted on the leader meanwhile stay there (replog verify shows them)."));
            // Said: the next check finds it left out for the same reason.
            warned.put(t.id(), left);
        } else {
            warnOnce(t.id(), refused, left);
        }
    }

    /** What to grant, or what an administrator can run, when ALTER PUBLICATION is refused. */
    private String ownerHint(SQLException e, String sql, String tableOwner) {
        String user = SqlIdentifiers.quote(leader.user());
        if (String.valueOf(e.getMessage()).contains("owner of publication")) {
            return "capture changes the publication's table list, so the user must own it: ALTER PUBLICATION "
                    + SqlIdentifiers.quote(publication) + " OWNER TO " + user + " (README, \"Privileges\")";
        }
        return "PostgreSQL lets only a role that owns both the table and the publication add the table to it. Grant the "
                + "table's owner to the capture user (GRANT " + (tableOwner == null ? "<owner>" : SqlIdentifiers.quote(tableOwner))
                + " TO " + user + "), or have a superuser run: " + sql + "; capture then copies the table's rows "
                + "(README, \"Privileges\")";
    }

    private static String currentSnapshot(Connection c) {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_snapshot()::text")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new CaptureException("cannot read the leader's open transactions: " + e.getMessage(), e);
        }
    }

    /** Whether every transaction open in {@code snapshot} has committed or aborted. */
    private static boolean ended(Connection c, String snapshot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT NOT EXISTS (SELECT 1 FROM pg_snapshot_xip(?::pg_snapshot) x "
                + "WHERE pg_xact_status(x) = 'in progress')")) {
            ps.setString(1, snapshot);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private Map<TableId, Long> members(Connection c) throws SQLException {
        return members(c, publication);
    }

    /** The publication's tables with their oids. */
    static Map<TableId, Long> members(Connection c, String publication) throws SQLException {
        Map<TableId, Long> members = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT n.nspname, cl.relname, cl.oid FROM pg_publication p
                JOIN pg_publication_rel pr ON pr.prpubid = p.oid
                JOIN pg_class cl ON cl.oid = pr.prrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE p.pubname = ? ORDER BY 1, 2""")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    members.put(new TableId(rs.getString(1), rs.getString(2)), rs.getLong(3));
                }
            }
        }
        return members;
    }

    /** Null if there is no such publication, else whether it is FOR ALL TABLES. */
    private Boolean allTables(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT puballtables FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    private String allTablesRefusal() {
        String name = SqlIdentifiers.quote(publication);
        return "publication " + publication + " on leader " + leader + " is FOR ALL TABLES (an earlier Replog version made it "
                + "for a capture.tables pattern): while it exists PostgreSQL refuses UPDATE and DELETE on every leader table "
                + "that has no primary key or replica identity, captured or not. Capture now publishes only the tables it "
                + "captures and keeps that list current itself. Replace the publication in one transaction (so the slot "
                + "never reads WAL without it), as a superuser: BEGIN; DROP PUBLICATION " + name + "; CREATE PUBLICATION "
                + name + "; ALTER PUBLICATION " + name + " OWNER TO " + SqlIdentifiers.quote(leader.user()) + "; COMMIT; "
                + "then start capture again: it adds the captured tables and copies their rows (README, \"Privileges\")";
    }

    private boolean slotExists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Logs {@code message} unless it is the one last logged under {@code key}: a table (why it is not
     * published), a list of a table and what failed, or null (the check itself).
     */
    private void warnOnce(Object key, String message) {
        warnOnce(key, false, message);
    }

    /** @param error an ERROR line rather than a WARN line: capture leaves out a table it was asked to capture */
    private void warnOnce(Object key, boolean error, String message) {
        if (!message.equals(warned.put(key, message))) {
            if (error) {
                log.error(message);
            } else {
                log.warn(message);
            }
        }
    }

    private void forget(TableId table) {
        warned.remove(table);
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = leader.open();
            try (Statement s = connection.createStatement()) {
                // ALTER PUBLICATION waits for a lock on the table; never hold the check up for long behind one.
                s.execute("SET lock_timeout = '5s'");
            }
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // A broken connection: nothing left to release.
            }
            connection = null;
        }
    }

    /** Writes what changed about copies since the last check, so that a capture stopped now leaves them current. */
    void writeCopyProgress() {
        try {
            writeCopyProgress(connection());
        } catch (SQLException | RuntimeException e) {
            log.warn("cannot write the progress of copies into {} on leader {}: {}", CapturedTables.TABLE, leader, e.getMessage());
        }
    }

    @Override
    public void close() {
        closeConnection();
    }
}
