package dev.replog.applier.follower;

import dev.replog.applier.SchemaExpressions;
import dev.replog.schemas.DomainDefinition;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableDefinition.CheckConstraint;
import dev.replog.schemas.TableDefinition.ColumnDefinition;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * The trust boundary between the log and the follower's SQL. Whoever can write to a table topic can
 * write a schema change, so no SQL text a schema change carries is run before it is checked here,
 * inside the caller's transaction and before any of the change's DDL:
 * <ul>
 * <li>A type is resolved in the follower's catalog from the text, bound as a parameter
 * ({@code to_regtype}, {@code to_regtypemod}), and declared in the DDL as the follower prints it
 * ({@code format_type}); a column's type must be the catalog type and modifier the change names.</li>
 * <li>An expression (a DEFAULT, CHECK or generated column, a domain's DEFAULT or CHECK) must be one
 * single expression ({@link ExpressionText}); the follower then parses it, without running it, into
 * a probe object in its {@code replog} schema that is rolled back at once (a generated expression is
 * probed as a CHECK: PostgreSQL evaluates a generated column's constant calls when it creates one),
 * and with {@link SchemaExpressions#SAFE} everything the parse tree would call is checked
 * ({@link ExpressionTree}). The DDL puts the expression in parentheses of its own.</li>
 * </ul>
 * A change that fails is refused with an {@link SQLException} of SQLSTATE {@value #REFUSED} naming
 * table, column or constraint and what was refused: a poison event, of which nothing ran.
 */
final class SchemaChangeCheck {

    /** SQLSTATE insufficient_privilege: not retried; the event is a poison event. */
    static final String REFUSED = "42501";
    private static final String PG_CATALOG = "pg_catalog";
    private static final int POSTGRES_17 = 170_000;

    private final Connection c;
    private final TableId table;
    private final SchemaExpressions policy;
    private final boolean backslashEscapes;
    private final boolean hasRegtypemod;
    private final String probe = quote("replog") + "." + quote("ddl probe " + UUID.randomUUID());

    /** A refused schema change: a poison event. */
    static final class Refused extends SQLException {
        Refused(String message) {
            super(message, REFUSED);
        }
    }

    /** A checked table definition: its types as the follower declares them, its expressions fenced and probed. */
    record CheckedDefinition(TableDefinition definition) {
    }

    /** A checked domain definition, to be created as it is. */
    record CheckedDomain(DomainDefinition domain) {
    }

    /** A type the follower's catalog resolved: its name, modifier and the SQL that declares it. */
    private record Resolved(String typeName, int typmod, String sql) {
    }

    /**
     * @param pooled the follower connection in its transaction. The probes run on the driver's own
     *               connection underneath (the same session and transaction): the pool takes some
     *               SQLSTATEs a refused expression can cause (0A000, e.g. a subquery in a CHECK) for a
     *               broken connection and would close it.
     */
    SchemaChangeCheck(Connection pooled, TableId table, SchemaExpressions policy) throws SQLException {
        this.c = pooled.unwrap(Connection.class);
        this.table = table;
        this.policy = policy;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('standard_conforming_strings') = 'off', "
                     + "current_setting('server_version_num')::int")) {
            rs.next();
            this.backslashEscapes = rs.getBoolean(1);
            this.hasRegtypemod = rs.getInt(2) >= POSTGRES_17;
        }
    }

    /** A schema change whose table is not the one its topic is for: refused before anything of it runs. */
    static Refused wrongTopic(TableId table, String topic) {
        return new Refused("table " + table + ": refusing schema change from topic " + topic
                + ", which is not that table's topic; nothing of it ran");
    }

    CheckedDefinition table(TableDefinition d) throws SQLException {
        List<ColumnDefinition> typed = new ArrayList<>();
        for (ColumnDefinition col : d.columns()) {
            Resolved type = resolve("column '" + col.name() + "'", col.type(), col.attnum() > 0 ? col : null);
            typed.add(new ColumnDefinition(col.name(), col.attnum(), type.sql(), col.typeName(), col.typmod(), col.notNull(),
                    col.defaultExpression(), col.generatedExpression(), col.enumLabels(), col.domain()));
        }
        String plainColumns = typed.stream().map(col -> quote(col.name()) + " " + col.type()).collect(Collectors.joining(", "));
        List<ColumnDefinition> columns = new ArrayList<>();
        for (ColumnDefinition col : typed) {
            String where = "column '" + col.name() + "'";
            if (col.generatedExpression() != null) {
                expression(where, "GENERATED ALWAYS AS", col.generatedExpression(), false, x -> createTable(plainColumns,
                        "CONSTRAINT \"probe\" CHECK ((((" + x + "))::" + col.type() + ") IS NULL)"), this::tableCheckTree);
            } else if (col.defaultExpression() != null) {
                expression(where, "DEFAULT", col.defaultExpression(), true,
                        x -> createTable(quote(col.name()) + " " + col.type() + " DEFAULT (" + x + ")", null), this::defaultTree);
            }
            columns.add(col);
        }
        List<CheckConstraint> checks = new ArrayList<>();
        for (CheckConstraint check : d.checks()) {
            String where = "constraint " + quote(check.name());
            ExpressionText.Check parsed = checkShape(where, check.definition());
            expression(where, "CHECK", parsed.expression(), false,
                    x -> createTable(plainColumns, "CONSTRAINT \"probe\" CHECK (" + x + ")"), this::tableCheckTree);
            checks.add(new CheckConstraint(check.name(), parsed.sql()));
        }
        return new CheckedDefinition(new TableDefinition(d.table(), d.leaderOid(), columns, d.primaryKey(), checks, d.types()));
    }

    CheckedDomain domain(String column, DomainDefinition d) throws SQLException {
        String where = "column '" + column + "': domain " + d.qualifiedName();
        String base = resolve(where, d.baseType(), null).sql();
        if (d.defaultExpression() != null) {
            expression(where, "DEFAULT", d.defaultExpression(), false,
                    x -> "CREATE DOMAIN " + probe + " AS " + base + " DEFAULT (" + x + ")", this::domainDefaultTree);
        }
        List<CheckConstraint> checks = new ArrayList<>();
        for (CheckConstraint check : d.checks()) {
            String at = where + " constraint " + quote(check.name());
            ExpressionText.Check parsed = checkShape(at, check.definition());
            expression(at, "CHECK", parsed.expression(), false,
                    x -> "CREATE DOMAIN " + probe + " AS " + base + " CONSTRAINT \"probe\" CHECK (" + x + ")", this::domainCheckTree);
            checks.add(new CheckConstraint(check.name(), parsed.sql()));
        }
        return new CheckedDomain(new DomainDefinition(d.schema(), d.name(), base, d.notNull(), d.defaultExpression(), checks,
                d.collationSchema(), d.collation()));
    }

    /**
     * A type the log names (a composite's attribute, a range's subtype), resolved in the follower's
     * catalog: the SQL that declares it there, or refused.
     */
    String type(String where, String text) throws SQLException {
        return resolve(where, text, null).sql();
    }

    // ---- types ----

    /**
     * @param column the column whose catalog type name and modifier the type must have, or null
     *               (a domain's base type, or a column typed from the log only)
     */
    private Resolved resolve(String where, String text, ColumnDefinition column) throws SQLException {
        String sql = hasRegtypemod
                ? "SELECT t.typname::text, m.mod, format_type(t.oid, m.mod) FROM (SELECT to_regtype(?::text) AS oid, "
                        + "to_regtypemod(?::text) AS mod) m JOIN pg_type t ON t.oid = m.oid"
                // Before PostgreSQL 17 the modifier cannot be read from the text: the one the change names must print it.
                : "SELECT t.typname::text, m.mod, format_type(t.oid, m.mod) FROM (SELECT to_regtype(?::text) AS oid, "
                        + "?::int AS mod) m JOIN pg_type t ON t.oid = m.oid";
        Optional<Resolved> resolved;
        Savepoint sp = c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, text);
            if (hasRegtypemod) {
                ps.setString(2, text);
            } else {
                ps.setInt(2, column == null ? -1 : column.typmod());
            }
            try (ResultSet rs = ps.executeQuery()) {
                resolved = rs.next() ? Optional.of(new Resolved(rs.getString(1), rs.getInt(2), rs.getString(3))) : Optional.empty();
            }
        } catch (SQLException e) {
            rollback(sp, e);
            throw refused(where, "type " + show(text), "it is not a type name (" + firstLine(e) + ")");
        }
        release(sp);
        if (resolved.isEmpty()) {
            throw refused(where, "type " + show(text), "the follower has no such type");
        }
        Resolved type = resolved.get();
        if (!hasRegtypemod && !type.sql().equals(text)) {
            throw refused(where, "type " + show(text), "the follower (before PostgreSQL 17) can only check a type it prints "
                    + "exactly so; it prints " + type.sql());
        }
        if (column != null && (!type.typeName().equals(column.typeName()) || type.typmod() != column.typmod())) {
            throw refused(where, "type " + show(text), "the follower reads it as " + type.typeName() + " with modifier "
                    + type.typmod() + ", but the change says " + column.typeName() + " with modifier " + column.typmod());
        }
        return type;
    }

    // ---- expressions ----

    /** Makes the statement that creates a probe object holding the expression {@code x}. */
    private interface ProbeDdl {
        String create(String x);
    }

    /** Reads the parse tree of the probe object just created: its text, and for a column default its pg_attrdef row. */
    private interface TreeReader {
        Probed read() throws SQLException;
    }

    /** A parse tree, and for a column default the oids of its pg_attrdef row and the probe table. */
    private record Probed(String tree, long attrdef, long relation) {
    }

    private void expression(String where, String kind, String text, boolean columnDefault, ProbeDdl ddl, TreeReader reader)
            throws SQLException {
        String what = kind + " " + show(text);
        Optional<String> problem = ExpressionText.problem(text, backslashEscapes);
        if (problem.isPresent()) {
            throw refused(where, what, "it is not one SQL expression: " + problem.get());
        }
        Probed probed;
        Savepoint sp = c.setSavepoint();
        try (Statement s = c.createStatement()) {
            s.execute(ddl.create(text));
            probed = reader.read();
            if (policy == SchemaExpressions.SAFE) {
                Optional<String> why = unsafe(new ExpressionTree(probed.tree()), columnDefault ? probed : null);
                if (why.isPresent()) {
                    rollback(sp, null);
                    throw refused(where, what, why.get() + " (apply.schema.expressions=any allows it)");
                }
            }
        } catch (SQLException e) {
            if (e instanceof Refused) {
                throw e;
            }
            rollback(sp, e);
            throw refused(where, what, "the follower does not accept it as such an expression (" + firstLine(e) + ")");
        }
        rollback(sp, null);
    }

    private String createTable(String columns, String constraint) {
        String body = constraint == null ? columns : columns.isEmpty() ? constraint : columns + ", " + constraint;
        return "CREATE TABLE " + probe + " (" + body + ")";
    }

    private Probed defaultTree() throws SQLException {
        return probed("SELECT d.adbin::text, d.oid, d.adrelid FROM pg_attrdef d WHERE d.adrelid = to_regclass(?)");
    }

    private Probed tableCheckTree() throws SQLException {
        return probed("SELECT k.conbin::text, 0, 0 FROM pg_constraint k WHERE k.conrelid = to_regclass(?) AND k.contype = 'c'");
    }

    private Probed domainDefaultTree() throws SQLException {
        return probed("SELECT t.typdefaultbin::text, 0, 0 FROM pg_type t WHERE t.oid = to_regtype(?)");
    }

    private Probed domainCheckTree() throws SQLException {
        return probed("SELECT k.conbin::text, 0, 0 FROM pg_constraint k WHERE k.contypid = to_regtype(?) AND k.contype = 'c'");
    }

    private Probed probed(String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, probe);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    throw new SQLException("the probe holds no expression");
                }
                return new Probed(rs.getString(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }

    /**
     * Why the parsed expression may not run by default, or empty if it may.
     *
     * @param columnDefault the probed column default, where nextval() of a sequence the table owns is allowed; else null
     */
    private Optional<String> unsafe(ExpressionTree tree, Probed columnDefault) throws SQLException {
        Set<String> nodes = tree.unexpectedNodes();
        if (!nodes.isEmpty()) {
            return Optional.of("it uses " + String.join(", ", nodes) + ", which a schema change may not");
        }
        List<ExpressionTree.Call> calls;
        try {
            calls = tree.calls();
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
        Map<Long, String[]> functions = catalog("SELECT p.oid, n.nspname, p.proname, p.oid::regprocedure::text FROM pg_proc p "
                + "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = ANY(string_to_array(?, ',')::oid[])",
                calls.stream().map(ExpressionTree.Call::function).collect(Collectors.toSet()));
        Long nextval = null;
        int nextvalCalls = 0;
        for (ExpressionTree.Call call : calls) {
            String[] f = functions.get(call.function());
            if (f == null || !f[0].equals(PG_CATALOG)) {
                return Optional.of("it calls " + (f == null ? "function " + call.function() : f[2])
                        + ", which is not a built-in function");
            }
            if (call.cast()) {
                continue;
            }
            if (f[1].equals("nextval") && columnDefault != null) {
                nextval = call.function();
                nextvalCalls++;
            } else if (!ExpressionTree.FUNCTIONS.contains(f[1])) {
                return Optional.of("it calls " + f[2] + ", which is not one of the built-in functions a schema change may use");
            }
        }
        for (String[] o : catalog("SELECT o.oid, n.nspname, o.oprname, o.oid::regoperator::text FROM pg_operator o "
                + "JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE o.oid = ANY(string_to_array(?, ',')::oid[])",
                tree.operators()).values()) {
            if (!o[0].equals(PG_CATALOG)) {
                return Optional.of("it uses the operator " + o[2] + ", which is not a built-in operator");
            }
        }
        for (String[] f : catalog("SELECT p.oid, n.nspname, p.proname, p.oid::regprocedure::text FROM pg_proc p "
                + "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = ANY(string_to_array(?, ',')::oid[])",
                tree.operatorFunctions()).values()) {
            if (!f[0].equals(PG_CATALOG)) {
                return Optional.of("it uses an operator that runs " + f[2] + ", which is not a built-in function");
            }
        }
        if (nextval != null) {
            if (tree.callsWithRegclassConstant(nextval) != nextvalCalls) {
                return Optional.of("it calls nextval() with a sequence named at run time");
            }
            return sequencesNotOwned(columnDefault);
        }
        return Optional.empty();
    }

    /** Sequences (or other relations) the probed default uses that the change's own table does not own. */
    private Optional<String> sequencesNotOwned(Probed columnDefault) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT d.refobjid::regclass::text FROM pg_depend d
                WHERE d.classid = 'pg_attrdef'::regclass AND d.objid = ? AND d.refclassid = 'pg_class'::regclass
                  AND d.refobjid <> ?
                  AND NOT EXISTS (SELECT 1 FROM pg_depend o JOIN pg_class s ON s.oid = o.objid AND s.relkind = 'S'
                                  WHERE o.classid = 'pg_class'::regclass AND o.objid = d.refobjid
                                    AND o.refclassid = 'pg_class'::regclass AND o.refobjid = to_regclass(?)
                                    AND o.deptype IN ('a', 'i'))""")) {
            ps.setLong(1, columnDefault.attrdef());
            ps.setLong(2, columnDefault.relation());
            ps.setString(3, quote(table));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of("it calls nextval() of " + rs.getString(1) + ", a sequence table " + table
                        + " does not own") : Optional.empty();
            }
        }
    }

    /** Catalog rows by oid: namespace, name, and the signature to show. */
    private Map<Long, String[]> catalog(String sql, Set<Long> oids) throws SQLException {
        Map<Long, String[]> out = new HashMap<>();
        if (oids.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, oids.stream().map(String::valueOf).collect(Collectors.joining(",")));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3), rs.getString(4)});
                }
            }
        }
        return out;
    }

    private ExpressionText.Check checkShape(String where, String definition) throws SQLException {
        return ExpressionText.check(definition).orElseThrow(() -> refused(where, show(definition),
                "it is not CHECK (<expression>) with at most NO INHERIT and NOT VALID after it"));
    }

    // ---- savepoints and messages ----

    /** Undoes the probe; an error that is worth retrying (a lost connection, ...) is passed on as it is. */
    private void rollback(Savepoint sp, SQLException cause) throws SQLException {
        if (cause != null && SqlErrors.isRetriable(cause)) {
            throw cause;
        }
        c.rollback(sp);
        release(sp);
    }

    private void release(Savepoint sp) throws SQLException {
        c.releaseSavepoint(sp);
    }

    private Refused refused(String where, String what, String why) {
        return new Refused("table " + table + " " + where + ": refusing schema change " + what + ": " + why
                + "; nothing of it ran");
    }

    /** The log's text in a message: quoted, and cut if long. */
    private static String show(String text) {
        String t = text == null ? "" : text.length() > 300 ? text.substring(0, 300) + "..." : text;
        return "'" + t + "'";
    }

    private static String firstLine(SQLException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).replaceFirst("^ERROR: ", "");
    }
}
