package dev.replog.cli.status;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * PostgreSQL's own estimates of a table's rows, cheap at any size: how far a snapshot has come is
 * told by them rather than by counting.
 */
final class RowEstimates {

    private RowEstimates() {
    }

    /**
     * On the leader: the larger of the live-row count the statistics keep and the planner's estimate
     * (statistics reset by a restart read zero; a table never analysed has no planner estimate).
     */
    static Long leader(Connection c, TableId table) throws SQLException {
        return estimate(c, table, "GREATEST(COALESCE(s.n_live_tup, 0), c.reltuples::bigint)");
    }

    /**
     * On the follower: the live-row count alone, which follows the copy as it is applied (the
     * planner's estimate may still count the rows a snapshot replaces).
     */
    static Long follower(Connection c, TableId table) throws SQLException {
        return estimate(c, table, "COALESCE(s.n_live_tup, 0)");
    }

    private static Long estimate(Connection c, TableId table, String expression) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + expression + " FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
                + " WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}
