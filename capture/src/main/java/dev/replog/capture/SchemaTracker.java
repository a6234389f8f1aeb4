package dev.replog.capture;

import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableId;
import org.apache.kafka.connect.data.Schema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Notices when a captured table's definition changes, so that capture can put a schema change into
 * the log before the rows that depend on it. DDL itself produces no event: the first row written
 * after it carries a different schema, and that is when the leader catalog is read (columns with
 * their attribute numbers, types, defaults, constraints, key). A table that vanished from the
 * leader catalog is reported as dropped once capture has passed the WAL position at which it was
 * seen gone, so every row written before the drop is published first.
 *
 * <p>A change of a user type (an enum label added, a domain's constraint changed) leaves the row
 * schema as it was, so for tables whose columns use user types one catalog fingerprint of all user
 * types is read per batch, before the first such row; when it moved, those tables' definitions are
 * read again at their next row, and published if they changed.
 *
 * <p>Not thread-safe: used from Debezium's batch handler only.
 */
final class SchemaTracker implements AutoCloseable {

    private static final Duration DROP_CHECK_INTERVAL = Duration.ofSeconds(1);

    private final LeaderConnection leader;
    private Connection connection;
    private final Map<TableId, Schema> lastSeen = new HashMap<>();
    private final Map<TableId, TableDefinition> published = new HashMap<>();
    private final Map<TableId, String> topicOf = new HashMap<>();
    private final Map<TableId, Lsn> goneSince = new HashMap<>();
    private long lastDropCheck;
    /** The leader's user types as of the last look, null before the first. */
    private String typesFingerprint;
    private boolean typesCheckedThisBatch;

    SchemaTracker(LeaderConnection leader) {
        this.leader = leader;
    }

    /** A table that was dropped on the leader, and the topic its schema change goes to. */
    record Dropped(TableId table, String topic, Lsn noticedAt) {
    }

    /**
     * The definition to publish before a row of {@code table} whose row schema is {@code rowSchema},
     * if the table is seen for the first time or its definition changed since the last one published.
     *
     * @param initialSnapshotRow whether the row is one of the initial snapshot's
     */
    Optional<TableDefinition> changeBefore(TableId table, String topic, Schema rowSchema, Schema keySchema,
                                           boolean initialSnapshotRow) {
        TableDefinition current = published.get(table);
        // An initial snapshot's rows hold no value newer than its start, and a definition published
        // among them would make appliers replace the rows copied so far: its types are looked at after.
        if (current != null && !current.types().isEmpty() && !initialSnapshotRow && userTypesChanged()) {
            published.values().stream().filter(d -> !d.types().isEmpty()).forEach(d -> lastSeen.remove(d.table()));
        }
        Schema seen = lastSeen.get(table);
        // Debezium passes one Schema object event after event: identity answers without comparing.
        if (rowSchema == seen) {
            return Optional.empty();
        }
        if (rowSchema.equals(seen)) {
            // A new but equal object (Debezium may build one per transaction): compare with it next time.
            lastSeen.put(table, rowSchema);
            return Optional.empty();
        }
        if (typesFingerprint == null) {
            // Before the definition is read: a type change after this point is noticed by the next look.
            typesFingerprint = query(LeaderTypes::fingerprint);
        }
        Optional<TableDefinition> catalog = query(c -> LeaderCatalog.read(c, table));
        lastSeen.put(table, rowSchema);
        topicOf.put(table, topic);
        if (catalog.isEmpty() && published.containsKey(table)) {
            // Dropped since: these are its last rows, of the definition already published.
            return Optional.empty();
        }
        TableDefinition definition = DefinitionAtRow.of(table, catalog, Optional.ofNullable(published.get(table)), rowSchema, keySchema);
        if (definition.equals(published.get(table))) {
            return Optional.empty();
        }
        published.put(table, definition);
        goneSince.remove(table);
        return Optional.of(definition);
    }

    /** A new batch: the leader's user types are looked at again, once, before its first row that uses one. */
    void batchStarts() {
        typesCheckedThisBatch = false;
    }

    private boolean userTypesChanged() {
        if (typesCheckedThisBatch) {
            return false;
        }
        typesCheckedThisBatch = true;
        String now = query(LeaderTypes::fingerprint);
        boolean changed = typesFingerprint != null && !now.equals(typesFingerprint);
        typesFingerprint = now;
        return changed;
    }

    /** The primary key of the table as last published, empty if unknown. */
    List<String> primaryKeyOf(TableId table) {
        TableDefinition d = published.get(table);
        return d == null ? List.of() : d.primaryKey();
    }

    /**
     * Tables published before that no longer exist on the leader (or exist under a new oid) and
     * whose last rows capture has published: {@code processed} is past the point they were seen gone.
     */
    List<Dropped> dropped(Lsn processed) {
        if (published.isEmpty() || System.currentTimeMillis() - lastDropCheck < DROP_CHECK_INTERVAL.toMillis()) {
            return List.of();
        }
        lastDropCheck = System.currentTimeMillis();
        List<Dropped> dropped = new ArrayList<>();
        for (TableDefinition d : List.copyOf(published.values())) {
            TableId table = d.table();
            Optional<Long> oid = query(c -> LeaderCatalog.oidOf(c, table));
            if (oid.isPresent() && (d.leaderOid() == 0 || oid.get() == d.leaderOid())) {
                goneSince.remove(table);
                continue;
            }
            Lsn noticed = goneSince.computeIfAbsent(table, t -> query(SchemaTracker::currentWalLsn));
            if (!noticed.isAfter(processed)) {
                dropped.add(new Dropped(table, topicOf.get(table), noticed));
                published.remove(table);
                lastSeen.remove(table);
                goneSince.remove(table);
            }
        }
        return dropped;
    }

    private static Lsn currentWalLsn(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }

    /**
     * Forgets one table's definition: it is published again, into every partition, before the table's
     * next row. A copy's start does this, so that a follower rebuilt from the copy learns the table's
     * definition after the copy's start marker.
     */
    void forget(TableId table) {
        lastSeen.remove(table);
        published.remove(table);
    }

    /** Forgets everything: after a failed batch, every definition is published again at first sight. */
    void reset() {
        typesFingerprint = null;
        lastSeen.clear();
        published.clear();
        goneSince.clear();
    }

    private interface CatalogQuery<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T query(CatalogQuery<T> q) {
        try {
            if (connection == null || connection.isClosed()) {
                connection = leader.open();
            }
            return q.run(connection);
        } catch (SQLException e) {
            close();
            throw new CaptureException("cannot read the catalog of leader " + leader + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Closing a broken connection: nothing left to release.
            }
            connection = null;
        }
    }
}
