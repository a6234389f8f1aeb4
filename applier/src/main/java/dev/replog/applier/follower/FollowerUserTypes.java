package dev.replog.applier.follower;

import dev.replog.applier.FollowerConnection;
import dev.replog.applier.state.TableDefinitionStore;
import dev.replog.schemas.DomainDefinition;
import dev.replog.schemas.PgType;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableDefinition.ColumnDefinition;
import dev.replog.schemas.UserType;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * Makes sure every user type a table definition lists exists on the follower, in the list's
 * (dependency) order, inside the caller's transaction: a missing enum, composite, domain or range is
 * created from the leader's definition under the leader's schema and exact name; one that exists is
 * kept if it is of the same kind and shape, else the table stops with an error naming table, column,
 * type and the difference. A type an extension provides is never created from the log: the follower
 * must have the extension (the error says which to install, and where).
 * <p>
 * Two appliers creating one type at once would fail one of them on pg_type's unique name: the
 * second waits on an advisory lock for the first to commit, then finds the type.
 * <p>
 * Changes: enum labels the leader added are added at their place (PostgreSQL lets a transaction
 * use a label only once the label's own transaction committed, so they are added and committed on a
 * connection of their own first: an extra label on the follower is harmless if this transaction
 * rolls back); a domain's constraints, default and NOT NULL follow the leader's where they changed
 * since the definition the follower table was last brought to ({@link FollowerDomains}).
 */
final class FollowerUserTypes {

    private static final Logger log = LoggerFactory.getLogger(FollowerUserTypes.class);

    /** SQLSTATE datatype_mismatch: a data error, so the applier stops the table instead of retrying. */
    private static final String DATATYPE_MISMATCH = "42804";
    /** SQLSTATE undefined_object: a data error, so the applier stops the table instead of retrying. */
    private static final String UNDEFINED_OBJECT = "42704";

    private static final String LACKS = "the follower lacks";
    /** SQLSTATE object_in_use: not retried, since retrying would wait on the same lock again. */
    private static final String OBJECT_IN_USE = "55006";

    private FollowerUserTypes() {
    }

    /**
     * @param sourceLsn the change's position: a domain follows the leader's changes since the newest
     *                  stored definition that lists it, unless that one is newer still (row mode
     *                  applies tables' topics in no common order)
     * @param policy    where enum labels are committed, whether extensions are created
     */
    static void ensure(Connection c, TableDefinition definition, String sourceLsn, SchemaChangeCheck check,
                       UserTypePolicy policy) throws SQLException {
        for (UserType type : definition.types()) {
            String column = usedBy(definition, type);
            String where = "table " + definition.table() + " column '" + column + "': ";
            if (type.kind() == UserType.Kind.DOMAIN) {
                Optional<DomainDefinition> previous = TableDefinitionStore.newestWith(c, type.kind(), type.schema(), type.name(), sourceLsn)
                        .filter(stored -> !stored.newer()).map(stored -> stored.type().domain());
                FollowerDomains.ensure(c, definition.table(), column, type.domain(), previous, check);
                continue;
            }
            Optional<String> kind = kindOf(c, type.schema(), type.name());
            if (kind.isEmpty()) {
                lock(c, type.kind() == UserType.Kind.EXTENSION ? "extension " + type.extension() : type.qualifiedName());
                kind = kindOf(c, type.schema(), type.name());
            }
            if (kind.isEmpty()) {
                create(c, where, type, check, policy.createExtensions());
                continue;
            }
            String expected = switch (type.kind()) {
                case ENUM -> "e";
                case COMPOSITE -> "c";
                case RANGE -> "r";
                default -> kind.get();
            };
            if (!kind.get().equals(expected)) {
                throw mismatch(where, type, "exists on the follower but is not a " + type.kind().name().toLowerCase()
                        + " (pg_type.typtype '" + kind.get() + "')");
            }
            switch (type.kind()) {
                case ENUM -> followEnum(c, where, type, policy.follower());
                case COMPOSITE -> sameAttributes(c, where, type, check);
                case RANGE -> sameSubtype(c, where, type, check);
                default -> {
                    // An extension's type that exists: the follower's extension provides it.
                }
            }
        }
    }

    /** For messages: the first column of the type itself or of an array of it, else the first of a user type. */
    private static String usedBy(TableDefinition definition, UserType type) {
        Optional<ColumnDefinition> direct = definition.columns().stream()
                .filter(col -> col.typeName().equals(type.name()) || col.typeName().equals("_" + type.name())).findFirst();
        ColumnDefinition col = direct.orElseGet(() -> definition.columns().stream()
                .filter(x -> !PgType.of(x.typeName()).isBuiltIn()).findFirst()
                .orElse(definition.columns().get(0)));
        return col.name();
    }

    private static void create(Connection c, String where, UserType type, SchemaChangeCheck check, boolean createExtensions)
            throws SQLException {
        String at = where + type.kind().name().toLowerCase() + " " + type.qualifiedName();
        List<String> ddl = new ArrayList<>();
        ddl.add("CREATE SCHEMA IF NOT EXISTS " + quote(type.schema()));
        switch (type.kind()) {
            case ENUM -> ddl.add("CREATE TYPE " + type.qualifiedName() + " AS ENUM (" + literals(c, type.labels()) + ")");
            case COMPOSITE -> {
                List<String> attributes = new ArrayList<>();
                for (UserType.Attribute a : type.attributes()) {
                    attributes.add(quote(a.name()) + " " + check.type(at + " attribute '" + a.name() + "'", a.type()));
                }
                ddl.add("CREATE TYPE " + type.qualifiedName() + " AS (" + String.join(", ", attributes) + ")");
            }
            case RANGE -> {
                ddl.add("CREATE SCHEMA IF NOT EXISTS " + quote(type.multirangeSchema()));
                ddl.add("CREATE TYPE " + type.qualifiedName() + " AS RANGE (SUBTYPE = " + check.type(at + " subtype", type.subtype())
                        + ", MULTIRANGE_TYPE_NAME = " + type.qualifiedMultirange()
                        + (type.subtypeDiff() == null ? "" : ", SUBTYPE_DIFF = pg_catalog." + quote(type.subtypeDiff())) + ")");
            }
            case EXTENSION -> {
                String state = extensionState(c, type);
                if (!createExtensions || !state.equals(LACKS)) {
                    throw new SQLException(where + "type " + type.qualifiedName() + " is provided by extension "
                            + type.extension() + ", which " + state + "; install it on the follower "
                            + "(CREATE EXTENSION " + quote(type.extension()) + " SCHEMA " + quote(type.schema())
                            + ", as a role allowed to, or set apply.create.extensions=true), then replog resume the table",
                            UNDEFINED_OBJECT);
                }
                ddl.add("CREATE EXTENSION " + quote(type.extension()) + " SCHEMA " + quote(type.schema()));
            }
            default -> throw new IllegalStateException("a domain is created by FollowerDomains");
        }
        try (Statement s = c.createStatement()) {
            for (String sql : ddl) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new SQLException(at + ": cannot create it on the follower: " + e.getMessage(), e.getSQLState(), e);
        }
        if (type.kind() == UserType.Kind.EXTENSION) {
            log.info("extension {} created on the follower in schema {}, for type {} (apply.create.extensions=true)",
                    type.extension(), quote(type.schema()), type.qualifiedName());
        } else {
            log.info("{} {} created on the follower from the leader's definition", type.kind().name().toLowerCase(), type.qualifiedName());
        }
    }

    private static String extensionState(Connection c, UserType type) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT n.nspname FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.extname = ?")) {
            ps.setString(1, type.extension());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? "the follower has in schema " + quote(rs.getString(1)) + ", not " + quote(type.schema())
                        : LACKS;
            }
        }
    }

    // ---- enums ----

    /**
     * The follower's labels must be the leader's, or the leader's without some it gained since
     * (PostgreSQL cannot drop a label): those are added at their place.
     */
    private static void followEnum(Connection c, String where, UserType type, FollowerConnection follower) throws SQLException {
        List<String> leader = type.labels();
        List<String> mine = strings(c, "SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = ?::regtype ORDER BY e.enumsortorder",
                type.qualifiedName());
        int matched = 0;
        for (String label : mine) {
            int at = leader.indexOf(label);
            if (at < matched) {
                throw mismatch(where, type, "has the labels " + mine + " on the follower but " + leader + " on the leader");
            }
            matched = at + 1;
        }
        if (mine.size() == leader.size()) {
            return;
        }
        List<String> ddl = new ArrayList<>();
        for (int i = 0; i < leader.size(); i++) {
            if (mine.contains(leader.get(i))) {
                continue;
            }
            String place = i > 0 ? " AFTER " + literals(c, List.of(leader.get(i - 1)))
                    : mine.isEmpty() ? "" : " BEFORE " + literals(c, List.of(mine.get(0)));
            ddl.add("ALTER TYPE " + type.qualifiedName() + " ADD VALUE IF NOT EXISTS " + literals(c, List.of(leader.get(i))) + place);
        }
        if (follower == null || createdInThisTransaction(c, type)) {
            // A type this transaction created takes labels it can use at once.
            execute(c, ddl);
        } else {
            try (Connection own = follower.open("replog-applier-enum")) {
                // Should this transaction itself hold a lock the labels wait for, waiting would never end:
                // give up, and stop the table; resumed, its schema change comes first in a new transaction.
                execute(own, List.of("SET lock_timeout = '30s'"));
                execute(own, ddl);
            } catch (SQLException e) {
                boolean waited = "55P03".equals(e.getSQLState());
                throw new SQLException(where + "cannot add the labels the leader added to enum " + type.qualifiedName() + ": "
                        + e.getMessage() + (waited ? " (the lock is held by this apply transaction or another session; "
                        + "replog resume the table)" : ""), waited ? OBJECT_IN_USE : e.getSQLState(), e);
            }
        }
        log.info("enum {} on the follower given the labels the leader added: {}", type.qualifiedName(), String.join("; ", ddl));
    }

    private static boolean createdInThisTransaction(Connection c, UserType type) throws SQLException {
        return strings(c, "SELECT (xmin::text = pg_current_xact_id()::xid::text)::text FROM pg_type WHERE oid = ?::regtype",
                type.qualifiedName()).equals(List.of("true"));
    }

    // ---- composites and ranges ----

    private static void sameAttributes(Connection c, String where, UserType type, SchemaChangeCheck check) throws SQLException {
        List<String> leader = new ArrayList<>();
        for (UserType.Attribute a : type.attributes()) {
            leader.add(a.name() + " " + check.type(where + "composite " + type.qualifiedName() + " attribute '" + a.name() + "'", a.type()));
        }
        List<String> mine = strings(c, """
                SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                WHERE a.attrelid = (SELECT typrelid FROM pg_type WHERE oid = ?::regtype) AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""", type.qualifiedName());
        if (!mine.equals(leader)) {
            throw mismatch(where, type, "has the attributes (" + String.join(", ", mine) + ") on the follower but ("
                    + String.join(", ", leader) + ") on the leader");
        }
    }

    private static void sameSubtype(Connection c, String where, UserType type, SchemaChangeCheck check) throws SQLException {
        String leader = check.type(where + "range " + type.qualifiedName() + " subtype", type.subtype());
        List<String> mine = strings(c, "SELECT format_type(rngsubtype, NULL) FROM pg_range WHERE rngtypid = ?::regtype",
                type.qualifiedName());
        if (!mine.equals(List.of(leader))) {
            throw mismatch(where, type, "is a range over " + String.join("", mine) + " on the follower but over " + leader
                    + " on the leader");
        }
    }

    // ---- catalog ----

    /** The kind ({@code pg_type.typtype}) of the follower's type of that name, empty if it has none. */
    private static Optional<String> kindOf(Connection c, String schema, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT t.typtype::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = ? AND t.typname = ?""")) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static void lock(Connection c, String what) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('replog type ' || ?))")) {
            ps.setString(1, what);
            ps.execute();
        }
    }

    /** SQL string literals of the values, quoted by the server: DDL takes no parameters. */
    private static String literals(Connection c, List<String> values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT string_agg(quote_literal(l), ', ' ORDER BY o) FROM unnest(?::text[]) WITH ORDINALITY AS e(l, o)")) {
            ps.setArray(1, c.createArrayOf("text", values.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1) == null ? "" : rs.getString(1);
            }
        }
    }

    private static List<String> strings(Connection c, String sql, String parameter) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static void execute(Connection c, List<String> statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static SQLException mismatch(String where, UserType type, String difference) {
        return new SQLException(where + type.kind().name().toLowerCase() + " " + type.qualifiedName() + " " + difference
                + "; make the follower's type match the leader's (or drop it, and Replog creates it), then replog resume the table",
                DATATYPE_MISMATCH);
    }
}
