package dev.replog.capture;

import dev.replog.schemas.SupportedTypes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether a table's columns can be captured: every column's values reach a follower exactly, every
 * user type they use can be described to a follower ({@link LeaderTypes}), and Debezium streams every
 * column under its own name. The same check for a table named in
 * {@code capture.tables} (at start, {@link LeaderPreflight}) and one a pattern matches (whenever it
 * appears or changes, {@link LeaderTables}), so that no table reaches the log that a follower could
 * not apply.
 */
final class ColumnCheck {

    /** Why a table's columns cannot be captured; {@code typeOfColumn} is false for a column name Debezium garbles. */
    record Problem(String text, boolean typeOfColumn) {
    }

    private ColumnCheck() {
    }

    /**
     * @param tableOids the tables' oids on the leader
     * @return per table oid, the first problem of its columns (naming column and type); tables without one are absent
     */
    static Map<Long, Problem> problems(Connection c, Collection<Long> tableOids) throws SQLException {
        if (tableOids.isEmpty()) {
            return Map.of();
        }
        // An array is judged by its element type; a domain by its base type.
        String sql = """
                WITH cols AS (
                  SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS declared,
                         CASE WHEN t.typtype = 'b' AND t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END AS scalar
                  FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                  WHERE a.attrelid = ANY (?::oid[]) AND a.attnum > 0 AND NOT a.attisdropped)
                SELECT c.attrelid, c.attname, c.declared, s.typtype, sn.nspname = 'pg_catalog', s.typname,
                       quote_ident(s.typname) = s.typname,
                       EXISTS (SELECT 1 FROM pg_enum e WHERE e.enumtypid = s.oid AND strpos(e.enumlabel, ',') > 0),
                       b.typtype = 'b' AND bn.nspname = 'pg_catalog', b.typname
                FROM cols c JOIN pg_type s ON s.oid = c.scalar JOIN pg_namespace sn ON sn.oid = s.typnamespace
                LEFT JOIN pg_type b ON s.typtype = 'd' AND b.oid = s.typbasetype
                LEFT JOIN pg_namespace bn ON bn.oid = b.typnamespace
                ORDER BY c.attrelid, c.attnum""";
        Map<Long, Problem> problems = new HashMap<>();
        Map<Long, List<String>> names = new LinkedHashMap<>();
        Set<Long> userTyped = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, tableOids.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}")));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long oid = rs.getLong(1);
                    names.computeIfAbsent(oid, o -> new ArrayList<>()).add(rs.getString(2));
                    String problem = typeProblem(rs.getString(4), rs.getBoolean(5), rs.getString(6), rs.getBoolean(7),
                            rs.getBoolean(8), rs.getBoolean(9), rs.getString(10));
                    if (!rs.getBoolean(5)) {
                        userTyped.add(oid);
                    }
                    if (problem != null && !problems.containsKey(oid)) {
                        problems.put(oid, new Problem("column '" + rs.getString(2) + "' has type " + rs.getString(3) + ": "
                                + problem, true));
                    }
                }
            }
        }
        for (long oid : userTyped) {
            if (!problems.containsKey(oid)) {
                try {
                    LeaderTypes.of(c, oid);
                } catch (CaptureException e) {
                    // A type a follower could not be given (a range with a function of its own, a base type no
                    // extension provides): LeaderTypes names it.
                    problems.put(oid, new Problem(e.getMessage(), true));
                }
            }
        }
        for (Map.Entry<Long, List<String>> table : names.entrySet()) {
            String problem = DebeziumNames.columnProblem(table.getValue());
            if (problem != null && !problems.containsKey(table.getKey())) {
                problems.put(table.getKey(), new Problem(problem, false));
            }
        }
        return problems;
    }

    /** @return why values of this (element) type would not arrive exactly, or null if they would */
    private static String typeProblem(String typtype, boolean inCatalog, String typname, boolean plainName,
                                      boolean commaInLabel, boolean baseInCatalog, String baseName) {
        switch (typtype) {
            case "b":
                // A base type outside pg_catalog is an extension's: LeaderTypes describes it (or refuses
                // one no extension provides, LeaderPreflight#checkUserTypes).
                return inCatalog ? SupportedTypes.builtInProblem(typname) : null;
            case "e", "d", "c", "r", "m":
                // Built-in ranges travel as PostgreSQL's text like any built-in type; user types too, and
                // followers create them from the table definition the log carries (LeaderTypes), never
                // from Debezium's upper-cased type name.
                return null;
            default:
                return "Replog does not replicate pseudo-type values";
        }
    }
}
