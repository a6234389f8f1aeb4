package dev.replog.applier.follower;

import com.zaxxer.hikari.HikariDataSource;
import dev.replog.applier.FollowerConnection;
import dev.replog.applier.SchemaExpressions;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.DomainDefinition;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableDefinition.CheckConstraint;
import dev.replog.schemas.TableDefinition.ColumnDefinition;
import dev.replog.schemas.TableId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link SchemaChangeCheck} lets through to the follower's DDL, on a real follower: the leader
 * catalog's own SQL passes, text that is not one expression or calls what it should not is refused
 * naming table, column and what, and checking never runs any of it.
 */
public class SchemaChangeCheckTest {

    private static final TableId ITEMS = new TableId("public", "items");

    @TempDir
    static Path dir;
    private static PostgresServer follower;
    private static HikariDataSource pool;
    private Connection c;

    @BeforeAll
    static void start() throws SQLException {
        follower = PostgresServer.start("check", dir);
        pool = new FollowerConnection(follower.jdbcUrl(), follower.user(), follower.password(), "disable", 1).openPool("check-test");
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA replog");
            s.execute("CREATE TABLE canary (id int)");
            s.execute("CREATE SEQUENCE side_effects");
            // Counts its calls in a sequence, which no rollback undoes.
            s.execute("CREATE FUNCTION boom() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT nextval(''side_effects'')::int'");
            s.execute("CREATE FUNCTION boom_immutable(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 + nextval(''side_effects'')::int'");
            s.execute("CREATE FUNCTION int_eq_loudly(int, int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2'");
            s.execute("CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = int_eq_loudly)");
            s.execute("CREATE TABLE items (id serial PRIMARY KEY, qty int)");
            s.execute("CREATE SEQUENCE other_seq");
            c.commit();
        }
    }

    @AfterAll
    static void stop() {
        pool.close();
        follower.close();
    }

    @BeforeEach
    void open() throws SQLException {
        c = pool.getConnection();
    }

    @AfterEach
    void close() throws SQLException {
        c.rollback();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT to_regclass('public.canary') IS NOT NULL, (SELECT is_called FROM side_effects)")) {
            rs.next();
            assertTrue(rs.getBoolean(1), "the canary table is still there");
            assertEquals(false, rs.getBoolean(2), "no function with a side effect was called");
        }
        c.rollback();
        c.close();
    }

    private static ColumnDefinition col(String name, int attnum, String type, String typeName, int typmod, String def, String gen) {
        return new ColumnDefinition(name, attnum, type, typeName, typmod, false, def, gen);
    }

    private static final ColumnDefinition ID = col("id", 1, "integer", "int4", -1, null, null);
    private static final ColumnDefinition QTY = col("qty", 2, "integer", "int4", -1, null, null);

    private static TableDefinition items(List<ColumnDefinition> columns, List<CheckConstraint> checks) {
        return new TableDefinition(ITEMS, 1, columns, List.of("id"), checks);
    }

    private SchemaChangeCheck.CheckedDefinition check(TableDefinition d, SchemaExpressions policy) throws SQLException {
        return new SchemaChangeCheck(c, ITEMS, policy).table(d);
    }

    private void assertRefused(TableDefinition d, String... parts) {
        SQLException e = assertThrows(SchemaChangeCheck.Refused.class, () -> check(d, SchemaExpressions.SAFE));
        assertEquals(SchemaChangeCheck.REFUSED, e.getSQLState());
        assertTrue(e.getMessage().startsWith("table public.items "), e.getMessage());
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
    }

    private void assertColumnRefused(String type, String typeName, int typmod, String def, String gen, String... parts) {
        assertRefused(items(List.of(ID, col("x", 3, type, typeName, typmod, def, gen)), List.of()), parts);
    }

    private void assertCheckRefused(String definition, String... parts) {
        assertRefused(items(List.of(ID, QTY), List.of(new CheckConstraint("c", definition))), parts);
    }

    @Test
    void whatALeaderCatalogPrintsPassesWithTypesAsTheFollowerDeclaresThem() throws SQLException {
        TableDefinition d = items(List.of(ID,
                        new ColumnDefinition("name", 2, "character varying(20)", "varchar", 24, true, "'unnamed'::character varying", null),
                        col("price", 3, "numeric(6,2)", "numeric", (6 << 16 | 2) + 4, "(0)::numeric", null),
                        col("at", 4, "timestamp with time zone", "timestamptz", -1, "now()", null),
                        col("u", 5, "uuid", "uuid", -1, "gen_random_uuid()", null),
                        col("tags", 6, "text[]", "_text", -1, "'{}'::text[]", null),
                        col("total", 7, "numeric", "numeric", -1, null, "((id)::numeric * price)"),
                        col("from_log", 0, "varchar(20)", "VARCHAR", -1, null, null)),
                List.of(new CheckConstraint("name_ok", "CHECK ((((name)::text ~ '^[a-z]'::text) AND (length((name)::text) < 10)))"),
                        new CheckConstraint("recent", "CHECK ((at > (CURRENT_DATE - '1 year'::interval))) NOT VALID")));
        TableDefinition checked = check(d, SchemaExpressions.SAFE).definition();
        assertEquals(List.of("integer", "character varying(20)", "numeric(6,2)", "timestamp with time zone", "uuid", "text[]", "numeric",
                "character varying(20)"), checked.columns().stream().map(ColumnDefinition::type).toList());
        assertEquals(d.checks(), checked.checks());
    }

    @Test
    void aColumnTypeThatIsNotOneTypeNameIsRefusedNamingTheColumn() {
        assertColumnRefused("int); DROP TABLE canary; --", "int4", -1, null, null,
                "column 'x': refusing schema change type 'int); DROP TABLE canary; --': it is not a type name");
        assertColumnRefused("int; DROP TABLE canary; --", "int4", -1, null, null, "column 'x'", "not a type name");
        assertColumnRefused("no_such_type", "no_such_type", -1, null, null, "the follower has no such type");
        assertColumnRefused("text", "int8", -1, null, null, "the follower reads it as text with modifier -1, but the change says int8");
    }

    @Test
    void aDefaultOrGeneratedExpressionThatIsNotOneExpressionIsRefusedBeforeTheFollowerSeesIt() {
        assertColumnRefused("integer", "int4", -1, "1); DROP TABLE canary; --", null,
                "column 'x': refusing schema change DEFAULT '1); DROP TABLE canary; --': it is not one SQL expression");
        assertColumnRefused("integer", "int4", -1, "1; DROP TABLE canary", null, "statement separator");
        assertColumnRefused("integer", "int4", -1, null, "1) STORED, y int GENERATED ALWAYS AS (2",
                "GENERATED ALWAYS AS '1) STORED", "closes what it did not open");
    }

    @Test
    void callsOfFunctionsWithSideEffectsAreRefusedAndNeverMadeWhileChecking() {
        assertColumnRefused("integer", "int4", -1, "boom()", null, "DEFAULT 'boom()'", "it calls boom(), which is not a built-in function",
                "apply.schema.expressions=any");
        // PostgreSQL computes a generated column's constant calls when it creates the column: the check must not.
        assertColumnRefused("integer", "int4", -1, null, "boom_immutable(1)", "it calls boom_immutable(integer)");
        assertCheckRefused("CHECK ((pg_sleep((10)::double precision) IS NOT NULL))", "constraint \"c\"", "pg_sleep(double precision)",
                "not one of the built-in functions");
        assertCheckRefused("CHECK (pg_terminate_backend(pg_backend_pid()))", "pg_terminate_backend");
        assertCheckRefused("CHECK ((lo_import('/etc/passwd'::text) > (0)::oid))", "lo_import(text)");
        assertCheckRefused("CHECK ((set_config('search_path'::text, 'evil'::text, false) IS NOT NULL))", "set_config");
        assertCheckRefused("CHECK ((query_to_xml('DROP TABLE canary'::text, true, true, ''::text) IS NOT NULL))", "query_to_xml");
        assertCheckRefused("CHECK ((qty === 1))", "the operator ===(integer,integer), which is not a built-in operator");
        assertCheckRefused("CHECK ((qty > ( SELECT count(*) AS count FROM canary)))", "cannot use subquery in check constraint");
        assertCheckRefused("CHECK ((qty > 0)); DROP TABLE canary; --", "it is not CHECK (<expression>)");
    }

    @Test
    void nextvalIsAllowedInADefaultOnlyForASequenceTheTableOwns() throws SQLException {
        check(items(List.of(ID, col("n", 2, "integer", "int4", -1, "nextval('items_id_seq'::regclass)", null)), List.of()),
                SchemaExpressions.SAFE);
        assertColumnRefused("integer", "int4", -1, "nextval('other_seq'::regclass)", null,
                "nextval() of other_seq, a sequence table public.items does not own");
        assertColumnRefused("integer", "int4", -1, "nextval('items_id_seq'::text)", null, "a sequence named at run time");
        assertCheckRefused("CHECK ((nextval('items_id_seq'::regclass) > 0))", "nextval(regclass), which is not one of the built-in");
    }

    @Test
    void withAnyExpressionsAUserFunctionPassesButTextThatIsNotOneExpressionStillDoesNot() throws SQLException {
        check(items(List.of(ID, col("n", 2, "integer", "int4", -1, "boom()", null)), List.of(new CheckConstraint("c", "CHECK ((id === 1))"))),
                SchemaExpressions.ANY);
        assertThrows(SchemaChangeCheck.Refused.class, () -> check(items(List.of(ID, col("n", 2, "integer", "int4", -1,
                "1); DROP TABLE canary; --", null)), List.of()), SchemaExpressions.ANY));
    }

    @Test
    void aDomainIsCheckedLikeATableBeforeItIsCreated() throws SQLException {
        DomainDefinition fine = new DomainDefinition("public", "price", "numeric(10,2)", true, "0",
                List.of(new CheckConstraint("non_negative", "CHECK ((VALUE >= (0)::numeric))")), null, null);
        assertEquals(fine, new SchemaChangeCheck(c, ITEMS, SchemaExpressions.SAFE).domain("amount", fine).domain());
        for (DomainDefinition forged : List.of(
                new DomainDefinition("public", "d", "int; DROP TABLE canary; --", false, null, List.of(), null, null),
                new DomainDefinition("public", "d", "integer", false, "0); DROP TABLE canary; --", List.of(), null, null),
                new DomainDefinition("public", "d", "integer", false, null,
                        List.of(new CheckConstraint("c", "CHECK ((VALUE > 0)); DROP TABLE canary; --")), null, null),
                new DomainDefinition("public", "d", "integer", false, null,
                        List.of(new CheckConstraint("c", "CHECK ((VALUE > boom()))")), null, null))) {
            SQLException e = assertThrows(SchemaChangeCheck.Refused.class,
                    () -> new SchemaChangeCheck(c, ITEMS, SchemaExpressions.SAFE).domain("amount", forged));
            assertTrue(e.getMessage().startsWith("table public.items column 'amount': domain \"public\".\"d\""), e.getMessage());
        }
    }
}
