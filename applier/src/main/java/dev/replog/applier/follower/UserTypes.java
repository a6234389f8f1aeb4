package dev.replog.applier.follower;

import dev.replog.schemas.Column;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * For definitions written by an older capture, which carry user types per column (today's list
 * them in the definition's {@code types}: {@link FollowerUserTypes}), and for a column known only
 * from a row's schema. Makes sure the user-defined type of a column about to be created exists on
 * the follower: an enum is created from the labels the log carries, a domain from its definition
 * the log carries ({@link FollowerDomains}); a type the log does not describe (a domain in a
 * definition written by a still older capture, or a column known only from a row's schema) must
 * have been created on the follower beforehand, or the column is refused with an error naming it.
 */
public final class UserTypes {

    /** SQLSTATE undefined_object: a data error, so the applier stops instead of retrying. */
    private static final String UNDEFINED_OBJECT = "42704";

    private UserTypes() {
    }

    static void ensure(Connection c, TableId table, Column column) throws SQLException {
        ensure(c, table, column.name(), column.type().elementType().name(), column.enumLabels());
    }

    /**
     * Before a table definition becomes DDL: every user-defined type it uses must exist on the
     * follower. Enums and domains are created from what the definition carries; a type it does not
     * describe stops the table with an error naming table, column and type. A domain's definition is
     * checked before it is created; an enum is created from its bound labels.
     */
    static void ensure(Connection c, TableDefinition definition, SchemaChangeCheck check) throws SQLException {
        for (TableDefinition.ColumnDefinition col : definition.columns()) {
            if (col.domain() != null) {
                FollowerDomains.ensure(c, definition.table(), col.name(), col.domain(), check);
                continue;
            }
            String name = col.typeName().startsWith("_") ? col.typeName().substring(1) : col.typeName();
            ensure(c, definition.table(), col.name(), name, col.enumLabels());
        }
    }

    private static void ensure(Connection c, TableId table, String column, String name, List<String> enumLabels)
            throws SQLException {
        if (exists(c, name)) {
            return;
        }
        if (enumLabels.isEmpty()) {
            throw new SQLException("table " + table + " column '" + column + "': type " + name
                    + " does not exist on the follower and the log does not describe it (e.g. a domain in a definition "
                    + "written by an older capture); create it on the follower as on the leader", UNDEFINED_OBJECT);
        }
        // DDL takes no parameters: the server quotes the bound name and labels into the statement.
        String ddl;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT format('CREATE TYPE %I AS ENUM (%s)', ?::text, "
                        + "(SELECT string_agg(quote_literal(l), ', ' ORDER BY o) FROM unnest(?::text[]) WITH ORDINALITY AS e(l, o)))")) {
            ps.setString(1, name);
            ps.setArray(2, c.createArrayOf("text", enumLabels.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                ddl = rs.getString(1);
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute(ddl);
        }
    }

    private static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regtype(quote_ident(?::text)) IS NOT NULL")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
