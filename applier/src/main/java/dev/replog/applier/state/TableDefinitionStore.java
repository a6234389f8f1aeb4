package dev.replog.applier.state;

import dev.replog.schemas.SchemaChangeFormat;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The leader definition each follower table was last brought to, in the follower's {@code replog}
 * schema and written in the same transaction as the DDL. The next schema change is diffed against
 * it: only the leader's attribute numbers it keeps can tell a renamed column from a new one.
 */
public final class TableDefinitionStore {

    private TableDefinitionStore() {
    }

    public static void createIfMissing(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS replog.table_definitions (
                        table_schema text   NOT NULL,
                        table_name   text   NOT NULL,
                        definition   jsonb  NOT NULL,
                        source_lsn   pg_lsn NOT NULL,
                        PRIMARY KEY (table_schema, table_name))""");
        }
    }

    public static Optional<TableDefinition> load(Connection c, TableId table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT definition::text FROM replog.table_definitions WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(SchemaChangeFormat.fromJson(rs.getString(1), table)) : Optional.empty();
            }
        }
    }

    public static void save(Connection c, TableDefinition definition, String sourceLsn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO replog.table_definitions (table_schema, table_name, definition, source_lsn)
                VALUES (?, ?, ?::jsonb, ?::pg_lsn)
                ON CONFLICT (table_schema, table_name) DO UPDATE
                SET definition = EXCLUDED.definition, source_lsn = EXCLUDED.source_lsn""")) {
            ps.setString(1, definition.table().schema());
            ps.setString(2, definition.table().table());
            ps.setString(3, SchemaChangeFormat.toJson(definition));
            ps.setString(4, sourceLsn);
            ps.executeUpdate();
        }
    }

    public static void delete(Connection c, TableId table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM replog.table_definitions WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.table());
            ps.executeUpdate();
        }
    }
}
