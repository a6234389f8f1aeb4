package dev.replog.applier.follower;

import dev.replog.schemas.DomainDefinition;
import dev.replog.schemas.TableDefinition.CheckConstraint;
import dev.replog.schemas.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * Makes sure a domain a table definition uses exists on the follower, inside the caller's
 * transaction: a missing one is created from the leader's definition the log carries; one that
 * exists is kept if its base type is the leader's, and otherwise the table stops with an error
 * naming table, column, domain and the difference. Constraints of an existing domain are the
 * follower owner's business and are left as they are, but for what changed on the leader since the
 * newest definition the follower stored that lists the domain (any table's): a CHECK added or
 * dropped, the default, NOT NULL. Those changes are made so that a second table with the same
 * domain finds nothing left to do, and never backwards: a definition older than the stored one
 * (row mode applies the tables' topics in no common order) changes nothing.
 */
public final class FollowerDomains {

    private static final Logger log = LoggerFactory.getLogger(FollowerDomains.class);

    /** SQLSTATE datatype_mismatch: a data error, so the applier stops the table instead of retrying. */
    private static final String DATATYPE_MISMATCH = "42804";

    private FollowerDomains() {
    }

    /** What the follower has under the domain's name: its kind ({@code pg_type.typtype}) and, for a domain, its base type. */
    private record Existing(String typtype, String baseType) {
    }

    /** @param check checks the leader's definition before a missing domain is created from it */
    static void ensure(Connection c, TableId table, String column, DomainDefinition domain, SchemaChangeCheck check)
            throws SQLException {
        ensure(c, table, column, domain, Optional.empty(), check);
    }

    /**
     * @param previous the domain as the follower last had it from the leader, if not newer than
     *                 {@code domain}: what changed since is changed on the follower's domain too
     */
    static void ensure(Connection c, TableId table, String column, DomainDefinition domain, Optional<DomainDefinition> previous,
                       SchemaChangeCheck check) throws SQLException {
        Optional<Existing> existing = find(c, domain);
        if (existing.isEmpty()) {
            // Two appliers creating the domain at once would fail one of them on pg_type's unique name:
            // the second waits here for the first to commit, then finds the domain.
            lock(c, domain);
            existing = find(c, domain);
        }
        if (existing.isEmpty()) {
            create(c, table, column, check.domain(column, domain));
            return;
        }
        String difference = difference(existing.get(), domain);
        if (difference != null) {
            throw new SQLException("table " + table + " column '" + column + "': domain " + domain.qualifiedName() + " "
                    + difference + "; make the follower's domain match the leader's (or drop it, and Replog creates it), "
                    + "then replog resume the table", DATATYPE_MISMATCH);
        }
        if (previous.isPresent() && !previous.get().equals(domain)) {
            follow(c, table, column, previous.get(), domain, check.domain(column, domain));
        }
    }

    /**
     * Makes on the follower's domain the changes the leader's made from {@code previous} to
     * {@code logged}: a CHECK gone or changed is dropped, one the follower lacks is added.
     */
    private static void follow(Connection c, TableId table, String column, DomainDefinition previous, DomainDefinition logged,
                               SchemaChangeCheck.CheckedDomain checked) throws SQLException {
        DomainDefinition domain = checked.domain();
        String name = domain.qualifiedName();
        List<String> statements = new ArrayList<>();
        if (previous.notNull() != domain.notNull()) {
            statements.add("ALTER DOMAIN " + name + (domain.notNull() ? " SET NOT NULL" : " DROP NOT NULL"));
        }
        if (!Objects.equals(previous.defaultExpression(), domain.defaultExpression())) {
            statements.add("ALTER DOMAIN " + name + (domain.defaultExpression() == null ? " DROP DEFAULT"
                    : " SET DEFAULT (" + domain.defaultExpression() + ")"));
        }
        List<String> existing = constraintNames(c, domain);
        for (CheckConstraint old : previous.checks()) {
            if (!logged.checks().contains(old) && existing.contains(old.name())) {
                statements.add("ALTER DOMAIN " + name + " DROP CONSTRAINT " + quote(old.name()));
                existing.remove(old.name());
            }
        }
        for (CheckConstraint check : domain.checks()) {
            if (!existing.contains(check.name())) {
                statements.add("ALTER DOMAIN " + name + " ADD CONSTRAINT " + quote(check.name()) + " " + check.definition());
            }
        }
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new SQLException("table " + table + " column '" + column + "': cannot change domain " + name
                    + " as the leader changed it: " + e.getMessage(), e.getSQLState(), e);
        }
        if (!statements.isEmpty()) {
            log.info("domain {} changed on the follower as on the leader: {}", name, String.join("; ", statements));
        }
    }

    private static List<String> constraintNames(Connection c, DomainDefinition domain) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT k.conname FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid
                JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = ? AND t.typname = ? AND k.contype = 'c'""")) {
            ps.setString(1, domain.schema());
            ps.setString(2, domain.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    private static String difference(Existing existing, DomainDefinition domain) {
        if (!existing.typtype().equals("d")) {
            return "exists on the follower but is not a domain (pg_type.typtype '" + existing.typtype() + "')";
        }
        if (!existing.baseType().equals(domain.baseType())) {
            return "is over " + existing.baseType() + " on the follower but over " + domain.baseType() + " on the leader";
        }
        return null;
    }

    private static Optional<Existing> find(Connection c, DomainDefinition domain) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT t.typtype::text, format_type(t.typbasetype, t.typtypmod)
                FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = ? AND t.typname = ?""")) {
            ps.setString(1, domain.schema());
            ps.setString(2, domain.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Existing(rs.getString(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    private static void lock(Connection c, DomainDefinition domain) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('replog domain ' || ?))")) {
            ps.setString(1, domain.qualifiedName());
            ps.execute();
        }
    }

    private static void create(Connection c, TableId table, String column, SchemaChangeCheck.CheckedDomain checked)
            throws SQLException {
        DomainDefinition domain = checked.domain();
        try (Statement s = c.createStatement()) {
            for (String sql : ddl(checked)) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new SQLException("table " + table + " column '" + column + "': cannot create domain " + domain.qualifiedName()
                    + " on the follower: " + e.getMessage(), e.getSQLState(), e);
        }
    }

    /**
     * Names are quoted here. The base type is as the follower prints it; the default and CHECK
     * bodies are the leader's own SQL as PostgreSQL printed it ({@code pg_get_expr},
     * {@code pg_get_constraintdef}), each checked by {@link SchemaChangeCheck} to be one expression.
     * Checks are added one by one with ALTER DOMAIN because that is the one form that also takes a
     * constraint the leader holds as NOT VALID.
     */
    static List<String> ddl(SchemaChangeCheck.CheckedDomain checked) {
        DomainDefinition domain = checked.domain();
        List<String> statements = new ArrayList<>();
        statements.add("CREATE SCHEMA IF NOT EXISTS " + quote(domain.schema()));
        StringBuilder create = new StringBuilder("CREATE DOMAIN ").append(domain.qualifiedName()).append(" AS ").append(domain.baseType());
        if (domain.collation() != null) {
            create.append(" COLLATE ").append(quote(domain.collationSchema())).append('.').append(quote(domain.collation()));
        }
        if (domain.defaultExpression() != null) {
            create.append(" DEFAULT (").append(domain.defaultExpression()).append(')');
        }
        if (domain.notNull()) {
            create.append(" NOT NULL");
        }
        statements.add(create.toString());
        for (CheckConstraint check : domain.checks()) {
            statements.add("ALTER DOMAIN " + domain.qualifiedName() + " ADD CONSTRAINT " + quote(check.name()) + " " + check.definition());
        }
        return statements;
    }
}
