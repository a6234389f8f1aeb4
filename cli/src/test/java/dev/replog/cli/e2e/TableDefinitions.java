package dev.replog.cli.e2e;

import dev.replog.testkit.Sql;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Leader-versus-follower comparison of a table's declaration: columns, types, defaults, nullability, generation, constraints. */
final class TableDefinitions {

    private TableDefinitions() {
    }

    /** @param regclass the table as a SQL regclass literal body, e.g. {@code public.items} or {@code "A B"."c"} */
    static List<List<String>> of(String jdbcUrl, String regclass) {
        String rel = "'" + regclass.replace("'", "''") + "'::regclass";
        List<List<String>> out = new ArrayList<>(Sql.queryRows(jdbcUrl, """
                SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull::text,
                       coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attgenerated::text
                FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""".formatted(rel)));
        out.addAll(Sql.queryRows(jdbcUrl, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
                + rel + " AND contype IN ('c', 'p') ORDER BY conname"));
        return out;
    }

    static void assertSame(Replication r, String regclass) {
        assertEquals(of(r.leaderUrl(), regclass), of(r.followerUrl(), regclass), "definition of " + regclass);
    }
}
