package dev.replog.testkit;

import java.util.List;

/** A table's full contents as text, for exact leader-versus-follower comparisons. */
public final class TableContents {

    private TableContents() {
    }

    /**
     * {@code SELECT * FROM qualifiedTable ORDER BY orderBy}, each value as PostgreSQL's text form.
     * Both arguments are pasted into the SQL as written: quote identifiers that need it.
     */
    public static List<List<String>> of(String jdbcUrl, String qualifiedTable, String orderBy) {
        return Sql.queryRows(jdbcUrl, "SELECT * FROM " + qualifiedTable + " ORDER BY " + orderBy);
    }
}
