package dev.replog.applier.verify;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Compares one table on the leader and a follower: same row count, same content checksum over the
 * leader's columns, ordered by the leader's primary key.
 */
public record TableComparison(TableId table, TableChecksum leader, TableChecksum follower, String problem) {

    public boolean matches() {
        return problem == null && leader.equals(follower);
    }

    public static TableComparison compare(Connection leaderDb, Connection followerDb, TableId table) throws SQLException {
        List<String> columns = TableChecksum.columns(leaderDb, table);
        List<String> key = TableChecksum.keyColumns(leaderDb, table);
        if (columns.isEmpty()) {
            return new TableComparison(table, null, null, "table does not exist on the leader");
        }
        if (key.isEmpty()) {
            return new TableComparison(table, null, null, "table has no primary key on the leader");
        }
        TableChecksum onLeader = TableChecksum.of(leaderDb, table, columns, key);
        List<String> followerColumns = TableChecksum.columns(followerDb, table);
        if (followerColumns.isEmpty()) {
            return new TableComparison(table, onLeader, null, "table does not exist on the follower");
        }
        if (!followerColumns.containsAll(columns)) {
            List<String> missing = columns.stream().filter(col -> !followerColumns.contains(col)).toList();
            return new TableComparison(table, onLeader, null, "follower lacks columns " + missing);
        }
        return new TableComparison(table, onLeader, TableChecksum.of(followerDb, table, columns, key), null);
    }

    /** One line for an operator: verdict, counts and checksums. */
    public String describe() {
        if (problem != null) {
            return String.format("%-9s %s: %s", "MISMATCH", table, problem);
        }
        return String.format("%-9s %s: leader %d rows md5 %s, follower %d rows md5 %s",
                matches() ? "MATCH" : "MISMATCH", table, leader.rows(), leader.md5(), follower.rows(), follower.md5());
    }
}
