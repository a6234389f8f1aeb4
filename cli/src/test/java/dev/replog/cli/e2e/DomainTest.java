package dev.replog.cli.e2e;

import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TableContents;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A domain a replicated table uses reaches the follower from its definition in the log, constraints
 * included; a follower domain of that name is kept when its base type is the leader's, and stops the
 * table with an error otherwise.
 */
class DomainTest {

    private static final TableId PRICES = new TableId("public", "prices");

    private static final String DOMAINS = """
            CREATE DOMAIN price AS numeric(10,2) NOT NULL DEFAULT 0
              CONSTRAINT "non negative" CHECK (VALUE >= 0) CONSTRAINT below_limit CHECK (VALUE < 100000);
            CREATE DOMAIN code AS varchar(5) COLLATE "C" CHECK (VALUE ~ '^[A-Z]+$')""";

    @Test
    void missingDomainIsCreatedOnTheFollowerWithTheLeadersBaseTypeConstraintsDefaultAndCollation() throws Exception {
        try (Replication r = new Replication("domain_created", 1, List.of(PRICES))) {
            r.leader(DOMAINS, "CREATE TABLE prices (id int PRIMARY KEY, amount price, sku code, skus code[])",
                    "INSERT INTO prices VALUES (101, 9.99, 'AB', '{ABC,NULL}'), (102, 0, NULL, NULL)");
            r.startCapture();
            r.startApplier();
            r.leader("INSERT INTO prices VALUES (1, 99999.99, 'ZZZZZ', '{}'), (2, 0.01, NULL, '{Q}')",
                    "UPDATE prices SET amount = amount + 1 WHERE id IN (2, 101)");
            r.awaitFollowerMatchesLeader();
            assertEquals(TableContents.of(r.leaderUrl(), "public.prices", "id"), TableContents.of(r.followerUrl(), "public.prices", "id"));
            TableDefinitions.assertSame(r, "public.prices");
            assertSameDomain(r, "public.price");
            assertSameDomain(r, "public.code");
            // The constraints are really there: the follower refuses what the leader would.
            assertRefused(r, "INSERT INTO prices (id, amount) VALUES (900, -1)", "23514");
            assertRefused(r, "INSERT INTO prices (id, amount) VALUES (901, 100000)", "23514");
            assertRefused(r, "INSERT INTO prices (id, amount) VALUES (902, NULL)", "23502");
            assertRefused(r, "INSERT INTO prices (id, sku) VALUES (903, 'abc')", "23514");
        }
    }

    @Test
    void domainOverNumericKeepsInfinitiesAndNaNFromTheSnapshotAndTheStream() throws Exception {
        TableId readings = new TableId("public", "readings");
        try (Replication r = new Replication("domain_numeric_special", 1, List.of(readings))) {
            r.leader("CREATE DOMAIN measure AS numeric", "CREATE TABLE readings (id int PRIMARY KEY, v measure, vs measure[])",
                    "INSERT INTO readings VALUES (101, 'Infinity', '{-Infinity,NaN,1.5}'), (102, '-Infinity', NULL), (103, 'NaN', '{}')");
            r.startCapture();
            r.startApplier();
            r.leader("INSERT INTO readings VALUES (1, 'Infinity', '{Infinity}'), (2, '-Infinity', NULL), (3, 'NaN', NULL), (4, 0.000001, NULL)",
                    "UPDATE readings SET v = '-Infinity' WHERE id = 101");
            r.awaitFollowerMatchesLeader();
            assertEquals(TableContents.of(r.leaderUrl(), "public.readings", "id"), TableContents.of(r.followerUrl(), "public.readings", "id"));
        }
    }

    @Test
    void domainInASchemaWhoseNameNeedsQuotingIsCreatedThereUnderItsExactName() throws Exception {
        TableId scores = new TableId("Dom \"Sch\" ema", "Scores");
        String schema = "\"Dom \"\"Sch\"\" ema\"";
        String table = schema + ".\"Scores\"";
        String domain = schema + ".\"Pos \"\"Int\"\" 1\"";
        try (Replication r = new Replication("domain_quoted", 1, List.of(scores))) {
            r.leader("CREATE SCHEMA " + schema,
                    "CREATE DOMAIN " + domain + " AS integer CONSTRAINT \"Positive \"\"!\"\"\" CHECK (VALUE > 0)",
                    "CREATE TABLE " + table + " (id int PRIMARY KEY, points " + domain + ", history " + domain + "[])",
                    "INSERT INTO " + table + " VALUES (101, 1, '{1,2}')");
            r.startCapture();
            r.startApplier();
            r.leader("INSERT INTO " + table + " VALUES (1, 2147483647, NULL), (2, NULL, '{}'), (3, 5, '{7,NULL}')");
            r.awaitFollowerMatchesLeader();
            TableDefinitions.assertSame(r, table);
            assertEquals(TableContents.of(r.leaderUrl(), table, "id"), TableContents.of(r.followerUrl(), table, "id"));
            assertSameDomain(r, domain);
            assertRefused(r, "INSERT INTO " + table + " (id, points) VALUES (900, 0)", "23514");
        }
    }

    @Test
    void domainCreatedOnTheLeaderAfterCaptureStartedReachesTheFollowerBeforeTheTableOrColumnThatUsesIt() throws Exception {
        TableId items = new TableId("public", "items");
        TableId created = new TableId("public", "created_later");
        try (Replication r = new Replication("domain_later", 1, List.of(new TableId("public", "*")))) {
            r.leader("CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items VALUES (1)");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader(List.of(items));
            r.leader(DOMAINS, "CREATE TABLE created_later (id int PRIMARY KEY, amount price, sku code)",
                    "INSERT INTO created_later VALUES (1, 12.50, 'NEW'), (2, 0, NULL)");
            r.awaitFollowerMatchesLeader(List.of(items, created));
            // A column of a new domain added to a table the follower already has.
            r.leader("CREATE DOMAIN label AS text NOT NULL DEFAULT 'none' CHECK (VALUE <> '')",
                    "ALTER TABLE items ADD COLUMN label label", "INSERT INTO items VALUES (2, 'two')");
            r.awaitFollowerMatchesLeader(List.of(items, created));
            TableDefinitions.assertSame(r, "public.created_later");
            TableDefinitions.assertSame(r, "public.items");
            assertSameDomain(r, "public.price");
            assertSameDomain(r, "public.label");
            assertRefused(r, "INSERT INTO created_later (id, amount) VALUES (900, -0.01)", "23514");
            assertRefused(r, "INSERT INTO items VALUES (900, '')", "23514");
        }
    }

    @Test
    void followerDomainOverAnotherBaseTypeStopsItsTableNamingColumnDomainAndDifferenceWhileAMatchingOneIsKept() throws Exception {
        TableId kept = new TableId("public", "kept");
        try (Replication r = new Replication("domain_conflict", 1, List.of(PRICES, kept))) {
            r.leader(DOMAINS, "CREATE TABLE prices (id int PRIMARY KEY, amount price)",
                    "CREATE TABLE kept (id int PRIMARY KEY, sku code)");
            r.follower("CREATE DOMAIN price AS integer", "CREATE DOMAIN code AS varchar(5) CHECK (VALUE <> 'X')");
            r.startCapture();
            r.startApplier();
            r.leader("INSERT INTO prices VALUES (1, 1.50)", "INSERT INTO kept VALUES (1, 'AB'), (2, 'OK')");
            r.awaitFollowerMatchesLeader(List.of(kept));
            Await.until("table prices stops on its domain", Replication.CATCH_UP,
                    () -> Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM replog.stopped_tables") == 1);
            String error = Sql.queryRows(r.followerUrl(), "SELECT table_name || ': ' || error FROM replog.stopped_tables").get(0).get(0);
            assertTrue(error.contains("table public.prices column 'amount': domain \"public\".\"price\" is over integer on the "
                    + "follower but over numeric(10,2) on the leader"), error);
            assertFalse(r.applier().stopped().isDone(), "only the table stops, not the applier");
            assertEquals(List.of(List.of("")), Sql.queryRows(r.followerUrl(), "SELECT coalesce(to_regclass('public.prices')::text, '')"),
                    "nothing of the table reached the follower");
            assertEquals(List.of(List.of("integer")), Sql.queryRows(r.followerUrl(),
                    "SELECT format_type(typbasetype, typtypmod) FROM pg_type WHERE oid = 'price'::regtype"));
            assertEquals(List.of(List.of("code_check CHECK (((VALUE)::text <> 'X'::text))")), Sql.queryRows(r.followerUrl(),
                    "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contypid = 'code'::regtype"),
                    "the follower's own domain with the leader's base type is kept as it is");
        }
    }

    private static void assertSameDomain(Replication r, String name) throws SQLException {
        List<String> leader = domain(r.leaderUrl(), name);
        assertFalse(leader.isEmpty(), "no domain " + name + " on the leader");
        assertEquals(leader, domain(r.followerUrl(), name), "domain " + name);
    }

    /** Base type, NOT NULL, default, collation and every constraint of a domain, as the database describes them. */
    private static List<String> domain(String jdbcUrl, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             PreparedStatement ps = c.prepareStatement("""
                     SELECT format_type(t.typbasetype, t.typtypmod), t.typnotnull::text, coalesce(pg_get_expr(t.typdefaultbin, 0), ''),
                            coalesce((SELECT collname FROM pg_collation WHERE oid = t.typcollation), ''),
                            coalesce((SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), '; ' ORDER BY conname)
                                      FROM pg_constraint WHERE contypid = t.oid AND contype = 'c'), '')
                     FROM pg_type t WHERE t.oid = ?::regtype AND t.typtype = 'd'""")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> out = new ArrayList<>();
                if (rs.next()) {
                    for (int i = 1; i <= 5; i++) {
                        out.add(rs.getString(i));
                    }
                }
                return out;
            }
        }
    }

    private static void assertRefused(Replication r, String insert, String sqlState) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.follower(insert), insert);
        SQLException cause = (SQLException) e.getCause();
        assertEquals(sqlState, cause.getSQLState(), insert + ": " + cause.getMessage());
    }
}
