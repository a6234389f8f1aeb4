package dev.replog.capture;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code replog.captured_tables} on the leader: per slot, the published tables whose every row the
 * slot's log holds, because they were published before the slot existed (the initial snapshot
 * covers them) or because an incremental snapshot of them was requested in the transaction that
 * wrote their row here. A published table missing here (or here with another oid: dropped and
 * created again) still needs its rows copied. Kept in the leader, beside the slot it describes, so
 * that a capture restarted at any moment knows what is left to copy.
 *
 * <p>Its {@code copy_*} columns show the last copy of each table (the initial snapshot, or an
 * incremental snapshot: of a table published while capture runs, or asked for by {@code replog
 * resnapshot}), for operators and {@code replog status}; docs/snapshots.md describes them.
 */
final class CapturedTables {

    static final String TABLE = ReplogSchema.NAME + ".captured_tables";

    private CapturedTables() {
    }

    static void createIfMissing(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (slot_name text NOT NULL, table_schema text NOT NULL, "
                    + "table_name text NOT NULL, table_oid oid NOT NULL, captured_since timestamptz NOT NULL DEFAULT now(), "
                    + "PRIMARY KEY (slot_name, table_schema, table_name))");
        }
        // Added by a later version: a table made by an earlier one gets them here (only then, as ALTER TABLE
        // takes the table's owner and its strongest lock even when there is nothing to add).
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 FROM pg_attribute "
                + "WHERE attrelid = '" + TABLE + "'::regclass AND attname = 'copy_progress_at' AND NOT attisdropped")) {
            if (rs.next()) {
                return;
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("ALTER TABLE " + TABLE + " ADD COLUMN IF NOT EXISTS copy_state text, "
                    + "ADD COLUMN IF NOT EXISTS copy_requested_at timestamptz, ADD COLUMN IF NOT EXISTS copy_started_at timestamptz, "
                    + "ADD COLUMN IF NOT EXISTS copy_finished_at timestamptz, ADD COLUMN IF NOT EXISTS copy_rows bigint, "
                    + "ADD COLUMN IF NOT EXISTS copy_rows_estimate bigint, ADD COLUMN IF NOT EXISTS copy_progress_at timestamptz");
        }
    }

    /** The slot's tables and the oid each had when recorded. */
    static Map<TableId, Long> of(Connection c, String slot) throws SQLException {
        Map<TableId, Long> tables = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT table_schema, table_name, table_oid FROM " + TABLE + " WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.put(new TableId(rs.getString(1), rs.getString(2)), rs.getLong(3));
                }
            }
        }
        return tables;
    }

    static void put(Connection c, String slot, TableId table, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (slot_name, table_schema, table_name, table_oid) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT (slot_name, table_schema, table_name) "
                + "DO UPDATE SET table_oid = EXCLUDED.table_oid, captured_since = now()")) {
            ps.setString(1, slot);
            ps.setString(2, table.schema());
            ps.setString(3, table.table());
            ps.setLong(4, oid);
            ps.executeUpdate();
        }
    }

    /** Records that the table's rows are complete in the log once the copy requested in the caller's transaction is. */
    static void putCopyRequested(Connection c, String slot, TableId table, long oid) throws SQLException {
        put(c, slot, table, oid);
        copyRequested(c, slot, table);
    }

    /** Marks a copy as requested (in the transaction that writes its signal); false if the table has no row here. */
    static boolean copyRequested(Connection c, String slot, TableId table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET copy_state = 'requested', copy_requested_at = now(), "
                + "copy_started_at = NULL, copy_finished_at = NULL, copy_rows = NULL, copy_rows_estimate = NULL, copy_progress_at = now() "
                + "WHERE slot_name = ? AND table_schema = ? AND table_name = ?")) {
            ps.setString(1, slot);
            ps.setString(2, table.schema());
            ps.setString(3, table.table());
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Writes what capture knows of a copy, unless the table's copy was requested again after this
     * copy started (a later copy answers that request; this one's late news must not hide it). Times
     * are the leader's clock: capture sends how long ago things happened, never its own clock.
     * The estimate is the planner's row count ({@code pg_class.reltuples}) at the copy's first write;
     * null if the table was never analyzed.
     */
    static void copyProgress(Connection c, String slot, TableId table, CopyProgress.Copy copy) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " t SET copy_state = ?, "
                + "copy_started_at = now() - make_interval(secs => ?), copy_finished_at = now() - make_interval(secs => ?), "
                + "copy_rows = ?, copy_progress_at = now(), copy_rows_estimate = coalesce(t.copy_rows_estimate, "
                + "(SELECT CASE WHEN cl.reltuples >= 0 THEN cl.reltuples::bigint END FROM pg_class cl WHERE cl.oid = t.table_oid)) "
                + "WHERE slot_name = ? AND table_schema = ? AND table_name = ? "
                + "AND (t.copy_requested_at IS NULL OR t.copy_requested_at <= now() - make_interval(secs => ?))")) {
            Instant now = Instant.now();
            double startedAgo = secondsBetween(copy.startedAt(), now);
            ps.setString(1, copy.state());
            ps.setDouble(2, startedAgo);
            if (copy.finishedAt() == null) {
                ps.setNull(3, Types.DOUBLE);
            } else {
                ps.setDouble(3, secondsBetween(copy.finishedAt(), now));
            }
            ps.setLong(4, copy.rows());
            ps.setString(5, slot);
            ps.setString(6, table.schema());
            ps.setString(7, table.table());
            ps.setDouble(8, startedAgo);
            ps.executeUpdate();
        }
    }

    private static double secondsBetween(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    static void remove(Connection c, String slot, TableId table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM " + TABLE + " WHERE slot_name = ? AND table_schema = ? AND table_name = ?")) {
            ps.setString(1, slot);
            ps.setString(2, table.schema());
            ps.setString(3, table.table());
            ps.executeUpdate();
        }
    }
}
