package dev.replog.applier.state;

import dev.replog.schemas.SchemaChangeFormat;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableId;
import dev.replog.schemas.UserType;

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

    /** A user type as the newest stored definition listing it has it, and whether that one is newer than a position. */
    public record StoredType(UserType type, boolean newer) {
    }

    /**
     * The user type {@code kind schema.name} as the stored definition with the highest source LSN that
     * lists it has it, whichever table that is: what the follower's type was last brought to.
     *
     * @param sourceLsn the position of the change at hand, to tell whether the stored one is newer
     */
    public static Optional<StoredType> newestWith(Connection c, UserType.Kind kind, String schema, String name, String sourceLsn)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT table_schema, table_name, definition::text, source_lsn > ?::pg_lsn FROM replog.table_definitions
                WHERE definition->'types' @> jsonb_build_array(jsonb_build_object('kind', ?::text, 'schema', ?::text, 'name', ?::text))
                ORDER BY source_lsn DESC LIMIT 1""")) {
            ps.setString(1, sourceLsn);
            ps.setString(2, kind.name().toLowerCase(java.util.Locale.ROOT));
            ps.setString(3, schema);
            ps.setString(4, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                TableDefinition stored = SchemaChangeFormat.fromJson(rs.getString(3), new TableId(rs.getString(1), rs.getString(2)));
                boolean newer = rs.getBoolean(4);
                return stored.types().stream().filter(t -> t.kind() == kind && t.schema().equals(schema) && t.name().equals(name))
                        .findFirst().map(t -> new StoredType(t, newer));
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
