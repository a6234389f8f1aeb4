package dev.replog.capture;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The last copy of each captured table as capture wrote it into {@code replog.captured_tables} on the
 * leader (docs/snapshots.md), for readers outside capture: {@code replog status} and the progress
 * display of {@code replog capture}.
 */
public final class CopyStates {

    /**
     * @param state    {@code requested}, {@code copying}, {@code done} or {@code failed}
     * @param rows     rows of the copy Kafka has acknowledged so far; null before it started
     * @param estimate the leader's row estimate of the table when the copy started; null if unknown
     */
    public record CopyState(TableId table, String state, Long rows, Long estimate, Instant startedAt, Instant finishedAt) {

        public boolean copying() {
            return "copying".equals(state) || "requested".equals(state);
        }

        /** Rows copied over the estimate, 0 to 100; null without an estimate. */
        public Double percent() {
            if (estimate == null || estimate <= 0) {
                return null;
            }
            return Math.min(100.0, 100.0 * (rows == null ? 0 : rows) / estimate);
        }
    }

    private CopyStates() {
    }

    /** The slot's tables that have a copy state, in name order; empty if capture never ran here. */
    public static List<CopyState> read(Connection leader, String slot) throws SQLException {
        List<CopyState> out = new ArrayList<>();
        try (PreparedStatement ps = leader.prepareStatement("SELECT table_schema, table_name, copy_state, copy_rows, "
                + "copy_rows_estimate, copy_started_at, copy_finished_at FROM " + CapturedTables.TABLE
                + " WHERE slot_name = ? AND copy_state IS NOT NULL ORDER BY 1, 2")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new CopyState(new TableId(rs.getString(1), rs.getString(2)), rs.getString(3),
                            (Long) rs.getObject(4), (Long) rs.getObject(5), instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7))));
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "42703".equals(e.getSQLState())) {
                return out; // no captured_tables yet, or one from a version without copy states
            }
            throw e;
        }
        return out;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
