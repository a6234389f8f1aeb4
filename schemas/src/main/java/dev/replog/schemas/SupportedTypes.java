package dev.replog.schemas;

import java.util.Set;

/**
 * The few built-in column types Replog cannot replicate (see README, "Supported types"): every other
 * type travels exactly. Capture refuses a named table with such a column, and keeps a table a pattern
 * matches out of the publication, rather than publish values no follower could apply.
 */
public final class SupportedTypes {

    /**
     * Built-in types, by pg_type.typname, whose input function refuses every value: statistics and
     * index summaries only the server builds. A user table can have a column of one and fill it from
     * the catalog (INSERT ... SELECT adbin FROM pg_attrdef), but no follower could store the value.
     * Every other built-in base type, range and multirange (and arrays of them) travels as
     * PostgreSQL's own text, which the follower's input function reads back as the same value.
     */
    private static final Set<String> NO_INPUT = Set.of(
            "pg_node_tree", "pg_ndistinct", "pg_dependencies", "pg_mcv_list",
            "pg_brin_bloom_summary", "pg_brin_minmax_multi_summary", "gtsvector");

    private SupportedTypes() {
    }

    /**
     * @param typname a built-in base type's pg_type.typname, e.g. {@code int4}, {@code timestamptz}
     * @return why Replog cannot carry a column of it (or of arrays of it), null if it can
     */
    public static String builtInProblem(String typname) {
        if (NO_INPUT.contains(typname)) {
            return "no follower can store a value of " + typname + " (its input function refuses every value)";
        }
        if (typname.equals("refcursor")) {
            // PostgreSQL's JDBC driver reads a refcursor as the rows of the cursor it names (FETCH ALL IN),
            // and Debezium's snapshot reads every column that way: the snapshot fails, and is retried forever.
            return "Debezium's snapshot reads a refcursor by fetching from the cursor it names, which fails; "
                    + "store the cursor's name as text instead";
        }
        return null;
    }
}
