package dev.replog.applier.verify;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What a comparison of one table needs from the leader's catalog: its columns (each row's checksum
 * covers exactly these), its primary key, and their types as {@code format_type} prints them (key
 * values and repaired values travel as text and are cast back in SQL).
 */
record TableShape(TableId table, List<String> columns, List<String> columnTypes, List<String> key, List<String> keyTypes) {

    private static final String ONLY_ON_FOLLOWER = "table exists on the follower but not on the leader";

    /** Why a table cannot be compared: it is then a mismatch of its own. */
    static final class Uncomparable extends Exception {
        Uncomparable(String problem) {
            super(problem, null, false, false);
        }
    }

    /** Reads the leader's shape of the table and checks that the follower has every column of it. */
    static TableShape read(Connection leader, Connection follower, TableId table) throws SQLException, Uncomparable {
        List<String> columns = TableChecksum.columns(leader, table);
        List<String> key = TableChecksum.keyColumns(leader, table);
        if (columns.isEmpty()) {
            throw new Uncomparable(TableChecksum.columns(follower, table).isEmpty()
                    ? "table does not exist on the leader (nor on the follower)"
                    : ONLY_ON_FOLLOWER);
        }
        if (key.isEmpty()) {
            throw new Uncomparable("table has no primary key on the leader (Replog replicates only tables with one)");
        }
        List<String> followerColumns = TableChecksum.columns(follower, table);
        if (followerColumns.isEmpty()) {
            throw new Uncomparable("table exists on the leader but not on the follower");
        }
        if (!followerColumns.containsAll(columns)) {
            List<String> missing = columns.stream().filter(col -> !followerColumns.contains(col)).toList();
            throw new Uncomparable("follower lacks columns " + missing);
        }
        return new TableShape(table, columns, TableChecksum.columnTypes(leader, table), key, TableChecksum.keyTypes(leader, table));
    }
}
