package dev.replog.capture;

import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Checks, before Debezium starts, the things about the leader that would otherwise fail later or
 * silently: logical decoding enabled, every captured table present, named so that Debezium can
 * follow it, keyed by a primary key, and made of column types Replog replicates exactly (for
 * timetz, with the help of {@link TimetzDomain}). Creates capture's own tables in schema
 * {@code replog}. Tables matched by a pattern are checked by {@link LeaderTables}, whenever they appear.
 */
final class LeaderPreflight {

    private LeaderPreflight() {
    }

    static void check(LeaderConnection leader, List<TableId> tables, TimetzOffsets timetzOffsets, String slotName) {
        try (Connection c = leader.open()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW wal_level")) {
                rs.next();
                if (!"logical".equals(rs.getString(1))) {
                    throw new CaptureException("leader " + leader + " has wal_level=" + rs.getString(1)
                            + "; capture needs wal_level=logical (set it in postgresql.conf and restart PostgreSQL)");
                }
            }
            checkTables(c, tables, timetzOffsets);
            checkEnumCategoryTypes(c);
            ReplogSchema.ensure(c, leader);
            HeartbeatTable.createIfMissing(c);
            SnapshotSignals.createIfMissing(c, SnapshotSignals.tableFor(slotName));
            CapturedTables.createIfMissing(c);
        } catch (SQLException e) {
            throw new CaptureException("cannot check leader " + leader + ": " + e.getMessage(), e);
        }
    }

    /** The checks of the tables alone, for a new capture.tables list of a running capture. */
    static void checkTables(LeaderConnection leader, List<TableId> tables, TimetzOffsets timetzOffsets) {
        try (Connection c = leader.open()) {
            checkTables(c, tables, timetzOffsets);
        } catch (SQLException e) {
            throw new CaptureException("cannot check leader " + leader + ": " + e.getMessage(), e);
        }
    }

    private static void checkTables(Connection c, List<TableId> tables, TimetzOffsets timetzOffsets) throws SQLException {
        List<TableId> exact = tables.stream().filter(t -> !DebeziumConfig.isPattern(t)).toList();
        for (TableId table : exact) {
            checkName(c, table);
            checkColumns(c, table, checkTable(c, table));
        }
        TimetzDomain.apply(c, exact, timetzOffsets);
    }

    /**
     * Refuses a name Debezium would lose changes of, and a table whose "schema.table" string is also
     * another relation's ({@code "a.b".c} and {@code a."b.c"}): Debezium tells tables apart by that
     * string alone (io.debezium.relational.TableId#equals compares {@code identifier()}), and its
     * table.include.list is matched against it, so the other one would be captured too and one
     * table's columns taken for the other's.
     */
    private static void checkName(Connection c, TableId table) throws SQLException {
        String problem = DebeziumNames.problem(table);
        if (problem != null) {
            throw new CaptureException("captured table " + SqlIdentifiers.quote(table) + " cannot be captured: " + problem
                    + ". Rename it or remove it from capture.tables (README, \"Names\")");
        }
        String sql = """
                SELECT format('%I.%I', n.nspname, cl.relname)
                FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE n.nspname || '.' || cl.relname = ? AND (n.nspname <> ? OR cl.relname <> ?)
                  AND cl.relkind IN ('r', 'p', 'v', 'm', 'f')""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table.schema() + "." + table.table());
            ps.setString(2, table.schema());
            ps.setString(3, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new CaptureException("captured table " + SqlIdentifiers.quote(table) + " cannot be told apart from "
                            + rs.getString(1) + " by Debezium, which knows a table only as the string '" + table
                            + "'. Rename one of them (README, \"Names\")");
                }
            }
        }
    }

    /** @return the table's oid */
    private static long checkTable(Connection c, TableId table) throws SQLException {
        String sql = """
                SELECT cl.oid,
                       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = cl.oid AND i.indisprimary)
                FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
                WHERE n.nspname = ? AND cl.relname = ? AND cl.relkind IN ('r', 'p')""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new CaptureException("captured table " + table + " does not exist on the leader "
                            + "(check capture.tables; names are case-sensitive)");
                }
                if (!rs.getBoolean(2)) {
                    throw new CaptureException("captured table " + table + " has no primary key; Replog keys "
                            + "every change by primary key. Add one (ALTER TABLE ... ADD PRIMARY KEY) or remove the "
                            + "table from capture.tables");
                }
                return rs.getLong(1);
            }
        }
    }

    /**
     * Refuses a column whose values Replog would not carry exactly, naming table, column and type,
     * and column names Debezium would stream under another name ({@link ColumnCheck}).
     */
    private static void checkColumns(Connection c, TableId table, long oid) throws SQLException {
        ColumnCheck.Problem problem = ColumnCheck.problems(c, List.of(oid)).get(oid);
        if (problem == null) {
            return;
        }
        if (problem.typeOfColumn()) {
            // "column 'c' has type t: ..." follows the table's name; a user type's own problem, a colon.
            String separator = problem.text().startsWith("column '") ? " " : ": ";
            throw new CaptureException("captured table " + table + separator + problem.text() + ". Remove the table from "
                    + "capture.tables or change the column's type (README, \"Supported types\")");
        }
        throw new CaptureException("captured table " + SqlIdentifiers.quote(table) + " cannot be captured: " + problem.text()
                + ". Rename the column or remove the table from capture.tables (README, \"Names\")");
    }

    /**
     * Refuses a database with a type of the enum category that has no labels of its own: a domain
     * over an enum (or over such a domain), or an enum without labels. Debezium 3.6.3 reads every
     * type of the database when it starts and fails on these (its TypeRegistry takes the labels of
     * every type of category 'E'), whichever tables are captured.
     */
    private static void checkEnumCategoryTypes(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT string_agg(format('%I.%I', n.nspname, t.typname), ', ' ORDER BY n.nspname, t.typname)
                FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE t.typcategory = 'E' AND n.nspname <> 'pg_toast'
                  AND NOT EXISTS (SELECT 1 FROM pg_enum e WHERE e.enumtypid = t.oid)""")) {
            rs.next();
            if (rs.getString(1) != null) {
                throw new CaptureException("the leader database has types of the enum category without labels of their own ("
                        + rs.getString(1) + "): a domain over an enum, or an enum without labels. Debezium cannot start "
                        + "on such a database (it reads the labels of every enum-category type); use a domain over text with "
                        + "a CHECK, or give the enum labels (README, \"Supported types\")");
            }
        }
    }
}
