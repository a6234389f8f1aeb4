package dev.replog.applier.follower;

import dev.replog.applier.verify.TableChecksum;
import dev.replog.schemas.Column;
import dev.replog.schemas.TableId;
import dev.replog.schemas.TableSchema;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * Makes sure a follower table exists with the columns an event carries: creates a missing table
 * from the event's schema (leader types, nullability, primary key) and adds columns the leader
 * has gained. What it has checked is remembered until the transaction it ran in is rolled back.
 */
public final class FollowerTables {

    private final Map<TableId, TableSchema> known = new HashMap<>();
    private final Map<TableId, Set<String>> generated = new HashMap<>();

    void ensure(Connection c, TableId table, TableSchema schema) throws SQLException {
        if (schema.equals(known.get(table))) {
            return;
        }
        Set<String> existing = new HashSet<>(TableChecksum.columns(c, table));
        for (Column col : schema.columns()) {
            if (!existing.contains(col.name()) && !col.type().isBuiltIn()) {
                UserTypes.ensure(c, table, col);
            }
        }
        try (Statement s = c.createStatement()) {
            if (existing.isEmpty()) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + quote(table.schema()));
                s.execute(createTable(table, schema));
            } else {
                for (Column col : schema.columns()) {
                    if (!existing.contains(col.name())) {
                        s.execute("ALTER TABLE " + quote(table) + " ADD COLUMN " + quote(col.name()) + " " + col.type().toSql());
                    }
                }
            }
        }
        known.put(table, schema);
    }

    /** Forget everything: after a rollback, tables created in that transaction are gone again. */
    public void reset() {
        known.clear();
        generated.clear();
    }

    /** Forget one table: a schema change altered it. */
    void forget(TableId table) {
        known.remove(table);
        generated.remove(table);
    }

    /** The table's generated columns: the follower computes them, so they are never written. */
    Set<String> generatedColumns(Connection c, TableId table) throws SQLException {
        Set<String> names = generated.get(table);
        if (names == null) {
            names = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT a.attname FROM pg_attribute a
                    JOIN pg_class cl ON cl.oid = a.attrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
                    WHERE n.nspname = ? AND cl.relname = ? AND a.attnum > 0 AND a.attgenerated <> ''""")) {
                ps.setString(1, table.schema());
                ps.setString(2, table.table());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
            }
            generated.put(table, names);
        }
        return names;
    }

    private static String createTable(TableId table, TableSchema schema) {
        String columns = schema.columns().stream()
                .map(col -> quote(col.name()) + " " + col.type().toSql() + (col.optional() ? "" : " NOT NULL"))
                .collect(Collectors.joining(", "));
        String key = schema.keyColumns().stream().map(k -> quote(k)).collect(Collectors.joining(", "));
        return "CREATE TABLE IF NOT EXISTS " + quote(table) + " (" + columns + ", PRIMARY KEY (" + key + "))";
    }
}
