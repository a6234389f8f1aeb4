package dev.replog.capture;

import dev.replog.schemas.DomainDefinition;
import dev.replog.schemas.TableDefinition.CheckConstraint;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Reads a domain's definition from the leader's catalog, so that it can travel in the log with the
 * columns that use it: base type with its modifiers, NOT NULL, default, every CHECK constraint and
 * a collation other than the base type's.
 */
final class LeaderDomains {

    private LeaderDomains() {
    }

    /** @param typeOid the domain's pg_type oid */
    static DomainDefinition read(Connection c, long typeOid) throws SQLException {
        // A collation is carried only when it is the domain's own (COLLATE on CREATE DOMAIN).
        // The base type schema-qualified unless built in: it may be a user type (an enum, another domain, ...).
        try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname, t.typname, "
                + LeaderTypes.qualifiedTypeSql("t.typbasetype", "t.typtypmod") + """
                , t.typnotnull,
                       pg_get_expr(t.typdefaultbin, 0), cn.nspname, co.collname
                FROM pg_type t
                JOIN pg_namespace n ON n.oid = t.typnamespace
                JOIN pg_type b ON b.oid = t.typbasetype
                LEFT JOIN pg_collation co ON co.oid = t.typcollation AND t.typcollation <> b.typcollation
                LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
                WHERE t.oid = ? AND t.typtype = 'd'""")) {
            ps.setLong(1, typeOid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("type with oid " + typeOid + " is not a domain (any more)");
                }
                return new DomainDefinition(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                        LeaderCatalog.portableDefault(rs.getString(5)), checks(c, typeOid), rs.getString(6), rs.getString(7));
            }
        }
    }

    private static List<CheckConstraint> checks(Connection c, long typeOid) throws SQLException {
        return LeaderCatalog.checks(c, """
                SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE contypid = ? AND contype = 'c' ORDER BY conname""", typeOid);
    }
}
