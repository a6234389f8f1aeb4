package dev.replog.capture;

import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code replog.captured_tables} on the leader: per slot, the published tables whose every row the
 * slot's log holds, because they were published before the slot existed (the initial snapshot
 * covers them) or because an incremental snapshot of them was requested in the transaction that
 * wrote their row here. A published table missing here (or here with another oid: dropped and
 * created again) still needs its rows copied. Kept in the leader, beside the slot it describes, so
 * that a capture restarted at any moment knows what is left to copy.
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
