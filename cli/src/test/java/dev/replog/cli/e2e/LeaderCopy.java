package dev.replog.cli.e2e;

import dev.replog.applier.ApplierSettings;
import dev.replog.schemas.Lsn;
import dev.replog.testkit.TableContents;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/** The leader's bank tables and a point of its history they are exactly the state of. */
record LeaderCopy(Lsn lsn, Instant time, List<List<String>> accounts, List<List<String>> ledger) {

    /**
     * Holds off every writer of the copied tables (SHARE locks wait for the transactions writing them
     * and keep new ones from writing), so the tables are exactly the state after every transaction
     * committed at or before the LSN and the time read meanwhile; the writer goes on afterwards.
     */
    static LeaderCopy take(Replication r) throws SQLException {
        try (Connection c = DriverManager.getConnection(r.leaderUrl()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("LOCK TABLE accounts, ledger IN SHARE MODE");
            Lsn lsn = Lsn.parse(string(s, "SELECT pg_current_wal_lsn()::text"));
            Instant time = Instant.parse(string(s, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
                    + "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
            s.execute("SELECT pg_sleep(0.02)"); // later commits are later by more than the log's millisecond precision
            LeaderCopy copy = new LeaderCopy(lsn, time, TableContents.of(r.leaderUrl(), "accounts", "id"),
                    TableContents.of(r.leaderUrl(), "ledger", "id"));
            c.commit();
            return copy;
        }
    }

    void assertEquals(ApplierSettings follower) {
        String url = follower.follower().jdbcUrl();
        org.junit.jupiter.api.Assertions.assertEquals(accounts, TableContents.of(url, "accounts", "id"), "accounts at " + lsn);
        org.junit.jupiter.api.Assertions.assertEquals(ledger, TableContents.of(url, "ledger", "id"), "ledger at " + lsn);
    }

    private static String string(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
