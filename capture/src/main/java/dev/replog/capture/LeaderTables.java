package dev.replog.capture;

import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The leader tables {@code capture.tables} names, read from the catalog, each with whether it may
 * be published. A table may be published only if PostgreSQL keeps accepting UPDATE and DELETE on
 * it once it is: it needs a replica identity, and Replog keys every change by primary key, so it
 * needs a primary key (and a replica identity other than NOTHING). A pattern ({@code public.*})
 * matches names the way Debezium's {@code table.include.list} does ({@link DebeziumConfig#includeRegex}),
 * so the publication and Debezium's filter always agree; it matches permanent ordinary tables
 * (partitions included, as a publication FOR ALL TABLES would), never a system schema or {@code replog}.
 */
final class LeaderTables {

    /** A leader table named by {@code capture.tables}. */
    /** @param owned whether the capture user has the privileges of the table's owner, which adding it to a publication takes */
    /** @param refusedColumn whether the problem is a column capture cannot carry ({@link ColumnCheck}) */
    record Table(TableId id, long oid, String owner, boolean owned, String entry, boolean exact, String problem,
                 boolean refusedColumn) {

        boolean publishable() {
            return problem == null;
        }
    }

    private final List<TableId> exact = new ArrayList<>();
    private final Map<TableId, Pattern> patterns = new LinkedHashMap<>();

    LeaderTables(List<TableId> entries) {
        for (TableId e : entries) {
            if (DebeziumConfig.isPattern(e)) {
                patterns.put(e, Pattern.compile(DebeziumConfig.includeRegex(e)));
            } else {
                exact.add(e);
            }
        }
    }

    /** Every existing table capture.tables names, in catalog order. */
    List<Table> read(Connection c) throws SQLException {
        String sql = """
                SELECT cl.oid, n.nspname, cl.relname, cl.relkind = 'r' AND cl.relpersistence = 'p' AS ordinary,
                       cl.relreplident,
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = cl.oid AND i.indisprimary) AS has_key,
                       pg_get_userbyid(cl.relowner), pg_has_role(cl.relowner, 'USAGE')
                FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE cl.relkind IN ('r', 'p') AND n.nspname NOT IN ('information_schema', 'replog')
                  AND n.nspname NOT LIKE 'pg\\_%'
                ORDER BY n.nspname, cl.relname""";
        List<Table> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                TableId id = new TableId(rs.getString(2), rs.getString(3));
                String entry = entryOf(id, rs.getBoolean(4));
                if (entry != null) {
                    boolean isExact = exact.contains(id);
                    tables.add(new Table(id, rs.getLong(1), rs.getString(7), rs.getBoolean(8), entry, isExact,
                            problem(id, isExact, rs.getString(5), rs.getBoolean(6)), false));
                }
            }
        }
        return withColumnProblems(c, tables);
    }

    /**
     * The tables' columns, checked as LeaderPreflight checks a named table at start (which a table
     * a pattern matches never was, and a named one may have failed since, by ALTER TABLE): a column
     * capture cannot carry keeps the table out of the publication, so none of its rows reaches the log.
     */
    private static List<Table> withColumnProblems(Connection c, List<Table> tables) throws SQLException {
        List<Long> publishable = tables.stream().filter(Table::publishable).map(Table::oid).toList();
        Map<Long, ColumnCheck.Problem> problems = ColumnCheck.problems(c, publishable);
        if (problems.isEmpty()) {
            return tables;
        }
        List<Table> checked = new ArrayList<>(tables.size());
        for (Table t : tables) {
            ColumnCheck.Problem p = problems.get(t.oid());
            checked.add(p == null ? t : new Table(t.id(), t.oid(), t.owner(), t.owned(), t.entry(), t.exact(),
                    "cannot be captured: " + p.text() + (p.typeOfColumn() ? ". Change or drop the column (README, \"Supported types\")"
                            : ". Rename the column (README, \"Names\")"), p.typeOfColumn()));
        }
        return checked;
    }

    /** The capture.tables entry naming this table, an exact name before a pattern; null if none does. */
    private String entryOf(TableId id, boolean ordinary) {
        if (exact.contains(id)) {
            return SqlIdentifiers.quote(id);
        }
        if (!ordinary) {
            return null;
        }
        String name = id.schema() + "." + id.table();
        for (Map.Entry<TableId, Pattern> p : patterns.entrySet()) {
            if (p.getValue().matcher(name).matches()) {
                return p.getKey().schema() + "." + p.getKey().table();
            }
        }
        return null;
    }

    private static String problem(TableId id, boolean isExact, String replicaIdentity, boolean hasKey) {
        if (!hasKey) {
            return "has no primary key. Give it one (ALTER TABLE " + SqlIdentifiers.quote(id) + " ADD PRIMARY KEY (...))";
        }
        if ("n".equals(replicaIdentity)) {
            return "has REPLICA IDENTITY NOTHING. Give it back its primary key as identity (ALTER TABLE "
                    + SqlIdentifiers.quote(id) + " REPLICA IDENTITY DEFAULT)";
        }
        if (!isExact) {
            // Named by the capture.tables entry itself, an exact table was checked at start (LeaderPreflight).
            String name = DebeziumNames.problem(id);
            if (name == null) {
                name = SnapshotSignals.problem(id);
            }
            if (name != null) {
                return "cannot be captured: " + name + ". Rename it (README, \"Names\")";
            }
        }
        return null;
    }
}
