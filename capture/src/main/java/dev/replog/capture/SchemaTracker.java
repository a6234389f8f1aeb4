package dev.replog.capture;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.PgType;
import dev.replog.schemas.PgValues;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableDefinition.ColumnDefinition;
import dev.replog.schemas.TableId;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Notices when a captured table's definition changes, so that capture can put a schema change into
 * the log before the rows that depend on it. DDL itself produces no event: the first row written
 * after it carries a different schema, and that is when the leader catalog is read (columns with
 * their attribute numbers, types, defaults, constraints, key). A table that vanished from the
 * leader catalog is reported as dropped once capture has passed the WAL position at which it was
 * seen gone, so every row written before the drop is published first.
 *
 * <p>Not thread-safe: used from Debezium's batch handler only.
 */
final class SchemaTracker implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DROP_CHECK_INTERVAL = Duration.ofSeconds(1);

    private final LeaderConnection leader;
    private Connection connection;
    private final Map<TableId, Schema> lastSeen = new HashMap<>();
    private final Map<TableId, TableDefinition> published = new HashMap<>();
    private final Map<TableId, String> topicOf = new HashMap<>();
    private final Map<TableId, Lsn> goneSince = new HashMap<>();
    private long lastDropCheck;

    SchemaTracker(LeaderConnection leader) {
        this.leader = leader;
    }

    /** A table that was dropped on the leader, and the topic its schema change goes to. */
    record Dropped(TableId table, String topic, Lsn noticedAt) {
    }

    /**
     * The definition to publish before a row of {@code table} whose row schema is {@code rowSchema},
     * if the table is seen for the first time or its definition changed since the last one published.
     */
    Optional<TableDefinition> changeBefore(TableId table, String topic, Schema rowSchema, Schema keySchema) {
        if (rowSchema.equals(lastSeen.get(table))) {
            return Optional.empty();
        }
        Optional<TableDefinition> catalog = query(c -> LeaderCatalog.read(c, table));
        lastSeen.put(table, rowSchema);
        topicOf.put(table, topic);
        if (catalog.isEmpty() && published.containsKey(table)) {
            // Dropped since: these are its last rows, of the definition already published.
            return Optional.empty();
        }
        TableDefinition definition = reconcile(table, catalog, Optional.ofNullable(published.get(table)), rowSchema, keySchema);
        if (definition.equals(published.get(table))) {
            return Optional.empty();
        }
        published.put(table, definition);
        goneSince.remove(table);
        return Optional.of(definition);
    }

    /**
     * The catalog is read after the fact: if it already lacks a column the row still has (a later
     * DROP or RENAME), it describes a later point than this row. Then the row's own columns define the
     * table, each taken from the catalog or the last published definition by name; a column new
     * since then and renamed already is paired with the catalog's new column at its place (columns
     * come in attribute order), so its attribute number is known; failing all, it is typed from the
     * log with attnum 0 and the follower matches it by name. The later change is published when the
     * rows that follow it arrive.
     */
    private static TableDefinition reconcile(TableId table, Optional<TableDefinition> catalog, Optional<TableDefinition> previous,
                                             Schema rowSchema, Schema keySchema) {
        Set<String> rowNames = rowSchema.fields().stream().map(Field::name).collect(Collectors.toSet());
        Set<String> catalogNames = catalog.map(d -> d.columns().stream().map(ColumnDefinition::name)
                .collect(Collectors.toSet())).orElse(Set.of());
        if (catalog.isPresent() && catalogNames.containsAll(rowNames)) {
            return catalog.get();
        }
        Set<Integer> previousAttnums = previous.map(d -> d.columns().stream().map(ColumnDefinition::attnum)
                .collect(Collectors.toSet())).orElse(Set.of());
        List<ColumnDefinition> columns = new ArrayList<>();
        int lastAttnum = 0;
        for (Field f : rowSchema.fields()) {
            int after = lastAttnum;
            ColumnDefinition column = catalog.flatMap(d -> d.column(f.name()))
                    .or(() -> previous.flatMap(d -> d.column(f.name())))
                    .or(() -> catalog.flatMap(d -> d.columns().stream()
                            .filter(c -> c.attnum() > after && !rowNames.contains(c.name()) && !previousAttnums.contains(c.attnum()))
                            .findFirst()
                            .map(c -> c.renamed(f.name()))))
                    .orElseGet(() -> fromLog(f));
            lastAttnum = Math.max(lastAttnum, column.attnum());
            columns.add(column);
        }
        List<String> key = keySchema != null ? keySchema.fields().stream().map(Field::name).toList()
                : previous.map(TableDefinition::primaryKey).orElse(List.of());
        return new TableDefinition(table, catalog.map(TableDefinition::leaderOid).orElse(0L), columns, key,
                catalog.map(TableDefinition::checks).orElse(List.of()));
    }

    private static ColumnDefinition fromLog(Field f) {
        ObjectNode field = JSON.createObjectNode();
        Map<String, String> parameters = f.schema().parameters() == null ? Map.of() : f.schema().parameters();
        field.set("parameters", JSON.valueToTree(new LinkedHashMap<>(parameters)));
        PgType type = PgValues.typeOf(field, f.name());
        return new ColumnDefinition(f.name(), 0, type.toSql(), type.name(), -1, !f.schema().isOptional(), null, null);
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

    /** Forgets everything: after a failed batch, every definition is published again at first sight. */
    void reset() {
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
