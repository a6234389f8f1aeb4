package dev.replog.capture;

import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.SupportedTypes;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
            checkTable(c, table);
            checkColumnTypes(c, table);
            checkUserTypes(c, table);
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

    private static void checkTable(Connection c, TableId table) throws SQLException {
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
            }
        }
    }

    /**
     * Refuses a column whose values Replog would not carry exactly, naming table, column and type,
     * and column names Debezium would stream under another name.
     */
    private static void checkColumnTypes(Connection c, TableId table) throws SQLException {
        // An array is judged by its element type; a domain by its base type.
        String sql = """
                WITH cols AS (
                  SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS declared,
                         CASE WHEN t.typtype = 'b' AND t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END AS scalar
                  FROM pg_attribute a
                  JOIN pg_class cl ON cl.oid = a.attrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                  JOIN pg_type t ON t.oid = a.atttypid
                  WHERE n.nspname = ? AND cl.relname = ? AND a.attnum > 0 AND NOT a.attisdropped)
                SELECT c.attname, c.declared, s.typtype, sn.nspname = 'pg_catalog', s.typname,
                       quote_ident(s.typname) = s.typname,
                       EXISTS (SELECT 1 FROM pg_enum e WHERE e.enumtypid = s.oid AND strpos(e.enumlabel, ',') > 0),
                       b.typtype = 'b' AND bn.nspname = 'pg_catalog', b.typname
                FROM cols c JOIN pg_type s ON s.oid = c.scalar JOIN pg_namespace sn ON sn.oid = s.typnamespace
                LEFT JOIN pg_type b ON s.typtype = 'd' AND b.oid = s.typbasetype
                LEFT JOIN pg_namespace bn ON bn.oid = b.typnamespace
                ORDER BY c.attnum""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                List<String> columns = new ArrayList<>();
                while (rs.next()) {
                    columns.add(rs.getString(1));
                    String problem = typeProblem(rs.getString(3), rs.getBoolean(4), rs.getString(5), rs.getBoolean(6),
                            rs.getBoolean(7), rs.getBoolean(8), rs.getString(9));
                    if (problem != null) {
                        throw new CaptureException("captured table " + table + " column '" + rs.getString(1) + "' has type "
                                + rs.getString(2) + ": " + problem + ". Remove the table from capture.tables or change "
                                + "the column's type (README, \"Supported types\")");
                    }
                }
                String problem = DebeziumNames.columnProblem(columns);
                if (problem != null) {
                    throw new CaptureException("captured table " + SqlIdentifiers.quote(table) + " cannot be captured: " + problem
                            + ". Rename the column or remove the table from capture.tables (README, \"Names\")");
                }
            }
        }
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

    /**
     * Refuses a user type a follower could not be given (a range with a function of its own, a base
     * type no extension provides), naming table and type: what {@link LeaderTypes} cannot describe.
     */
    static void checkUserTypes(Connection c, TableId table) throws SQLException {
        Optional<Long> oid = LeaderCatalog.oidOf(c, table);
        if (oid.isEmpty()) {
            return;
        }
        try {
            LeaderTypes.of(c, oid.get());
        } catch (CaptureException e) {
            throw new CaptureException("captured table " + table + ": " + e.getMessage(), e);
        }
    }

    /** @return why values of this (element) type would not arrive exactly, or null if they would */
    private static String typeProblem(String typtype, boolean inCatalog, String typname, boolean plainName,
                                      boolean commaInLabel, boolean baseInCatalog, String baseName) {
        switch (typtype) {
            case "b":
                if (!inCatalog) {
                    return null; // an extension's type, or refused by checkUserTypes
                }
                return inCatalog && SupportedTypes.isSupportedBuiltIn(typname) ? null
                        : "Replog does not replicate " + typname + " values exactly";
            case "e", "d", "c", "r", "m":
                // User types travel as PostgreSQL's text, and followers create them from the table
                // definition the log carries (LeaderTypes), never from Debezium's upper-cased type name.
                return null;
            default:
                return "Replog does not replicate pseudo-type values";
        }
    }
}
