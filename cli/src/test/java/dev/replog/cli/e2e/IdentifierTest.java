package dev.replog.cli.e2e;

import dev.replog.applier.ApplyMode;
import dev.replog.capture.CaptureException;
import dev.replog.capture.CaptureService;
import dev.replog.capture.CaptureSettings;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TableContents;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names with upper case, spaces, quotes, dots, commas, unicode and reserved words replicate like any other. */
class IdentifierTest {

    private static final TableId TORTURE = new TableId("Weird Schema", "Select Ünï 🚀");
    private static final String QUOTED = "\"Weird Schema\".\"Select Ünï 🚀\"";
    private static final TableId DOTTED = new TableId("My.Schema", "we\"ird.Tab le");
    private static final String DOTTED_SQL = "\"My.Schema\".\"we\"\"ird.Tab le\"";
    private static final String DOTTED_KEY = "\"k.\"\"ey\"";
    private static final TableId COMMA = new TableId("My.Schema", "Ta,ble");
    private static final String COMMA_SQL = "\"My.Schema\".\"Ta,ble\"";

    @Test
    void tableAndColumnNamesThatNeedQuotingReplicateIncludingSchemaChanges() throws Exception {
        try (Replication r = new Replication("identifiers", 2, List.of(TORTURE))) {
            r.leader("CREATE SCHEMA \"Weird Schema\"",
                    "CREATE TABLE " + QUOTED + " (\"select\" int, \"Ünïcødé 🚀\" text DEFAULT 'ü', \"a.b\" numeric(5,1), "
                            + "\"MixedCase\" varchar(10) CHECK (\"MixedCase\" <> 'bad'), \"it's\" int, "
                            + "PRIMARY KEY (\"select\", \"a.b\"))",
                    "INSERT INTO " + QUOTED + " VALUES (1, 'eins', 1.5, 'One', 1), (2, NULL, 2.5, NULL, NULL)");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
            r.leader("UPDATE " + QUOTED + " SET \"Ünïcødé 🚀\" = '🚀🚀', \"it's\" = 7 WHERE \"select\" = 2",
                    "DELETE FROM " + QUOTED + " WHERE \"select\" = 1",
                    "ALTER TABLE " + QUOTED + " ADD COLUMN \"new \"\"col\"\"\" text DEFAULT 'x''y'",
                    "ALTER TABLE " + QUOTED + " RENAME COLUMN \"it's\" TO \"it.is\"",
                    "INSERT INTO " + QUOTED + " VALUES (3, 'drei', 3.5, 'Three', 3, 'z')");
            r.awaitFollowerMatchesLeader();
            TableDefinitions.assertSame(r, QUOTED);
            assertEquals(TableContents.of(r.leaderUrl(), QUOTED, "\"select\""), TableContents.of(r.followerUrl(), QUOTED, "\"select\""));
        }
    }

    /**
     * Debezium 3.6.3 quotes and escapes these names in its snapshot query; what Replog adds is a
     * topic per table that no other table shares, a case-sensitive table filter, and the refusal of
     * a table Debezium cannot tell from another.
     */
    @Test
    void quotesDotsAndCommasInSchemaTableAndColumnNamesReplicateFromSnapshotAndStream() throws Exception {
        try (Replication r = new Replication("dotted", 2, List.of(DOTTED, COMMA))) {
            r.leader("CREATE SCHEMA \"My.Schema\"",
                    "CREATE TABLE " + DOTTED_SQL + " (" + DOTTED_KEY + " int PRIMARY KEY, \"say \"\"hi\"\"\" text, "
                            + "\"\"\"lead\" numeric(6,2), \"trail\"\"\" timestamptz, \"a.b\" text[])",
                    "INSERT INTO " + DOTTED_SQL + " VALUES (1, 'eins', 1.25, '2024-01-01 00:00+00', '{x,y}'), "
                            + "(2, NULL, NULL, NULL, NULL), (3, 'dr\"ei', -3.5, '1999-12-31 23:59:59.999999+00', '{}')",
                    "CREATE TABLE " + COMMA_SQL + " (id int PRIMARY KEY, \"x,y\" text)",
                    "INSERT INTO " + COMMA_SQL + " VALUES (1, 'a,b')",
                    // Not captured: the same names in other case, which Debezium's own filter would take too.
                    "CREATE SCHEMA \"MY.SCHEMA\"",
                    "CREATE TABLE \"MY.SCHEMA\".\"WE\"\"IRD.TAB LE\" (id int PRIMARY KEY)",
                    "INSERT INTO \"MY.SCHEMA\".\"WE\"\"IRD.TAB LE\" VALUES (1)");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
            assertSameRows(r);

            r.leader("INSERT INTO " + DOTTED_SQL + " VALUES (4, 'vier', 4, now(), '{\"a.b\"}')",
                    "UPDATE " + DOTTED_SQL + " SET \"say \"\"hi\"\"\" = 'zwei', \"a.b\" = '{z}' WHERE " + DOTTED_KEY + " = 2",
                    "UPDATE " + DOTTED_SQL + " SET " + DOTTED_KEY + " = 30 WHERE " + DOTTED_KEY + " = 3",
                    "DELETE FROM " + DOTTED_SQL + " WHERE " + DOTTED_KEY + " = 1",
                    "UPDATE " + COMMA_SQL + " SET \"x,y\" = 'c,d'", "INSERT INTO " + COMMA_SQL + " VALUES (2, NULL)");
            r.awaitFollowerMatchesLeader();
            assertSameRows(r);

            r.leader("TRUNCATE " + DOTTED_SQL,
                    "INSERT INTO " + DOTTED_SQL + " VALUES (5, 'fünf', 5.5, NULL, '{\"\\\"\"}')");
            r.awaitFollowerMatchesLeader();
            assertSameRows(r);
            assertEquals(1, Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM " + DOTTED_SQL));
            TableDefinitions.assertSame(r, DOTTED_SQL);
            assertEquals(List.of(Arrays.asList((String) null)),
                    Sql.queryRows(r.followerUrl(), "SELECT to_regclass('\"MY.SCHEMA\".\"WE\"\"IRD.TAB LE\"')::text"));
            try (Admin admin = Admin.create(r.kafka().clientConfig())) {
                Set<String> topics = admin.listTopics().names().get();
                assertTrue(topics.contains(r.topics().prefix() + ".My-2e-Schema.we-22-ird-2e-Tab-20-le"), topics.toString());
                assertTrue(topics.contains(r.topics().forTable(COMMA)), topics.toString());
            }

            r.stopCapture();
            r.leader("CREATE SCHEMA \"My\"", "CREATE TABLE \"My\".\"Schema.we\"\"ird.Tab le\" (id int PRIMARY KEY)");
            CaptureException e = assertThrows(CaptureException.class, r::startCapture);
            assertTrue(e.getMessage().contains("cannot be told apart from \"My\".\"Schema.we\"\"ird.Tab le\""), e.getMessage());
        }
    }

    /**
     * Debezium's transaction END names tables as unquoted {@code schema.table}: {@code My.Schema.we"ird.Tab le}
     * is matched whole against the tables of the log, not split at its first dot, so a transactional
     * follower gathers these tables' transactions like any other's.
     */
    @Test
    void dotsInSchemaAndTableNamesReplicateInTransactionalMode() throws Exception {
        try (Replication r = new Replication("dotted_tx", 2, List.of(DOTTED, COMMA))) {
            r.mode(ApplyMode.TRANSACTIONAL);
            r.leader("CREATE SCHEMA \"My.Schema\"",
                    "CREATE TABLE " + DOTTED_SQL + " (" + DOTTED_KEY + " int PRIMARY KEY, \"say \"\"hi\"\"\" text, "
                            + "\"\"\"lead\" numeric(6,2), \"trail\"\"\" timestamptz, \"a.b\" text[])",
                    "INSERT INTO " + DOTTED_SQL + " VALUES (1, 'eins', 1.25, '2024-01-01 00:00+00', '{x,y}'), (2, NULL, NULL, NULL, NULL)",
                    "CREATE TABLE " + COMMA_SQL + " (id int PRIMARY KEY, \"x,y\" text)",
                    "INSERT INTO " + COMMA_SQL + " VALUES (1, 'a,b')");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
            assertSameRows(r);

            r.leader("INSERT INTO " + DOTTED_SQL + " VALUES (4, 'vier', 4, now(), '{\"a.b\"}')",
                    "BEGIN; UPDATE " + DOTTED_SQL + " SET \"say \"\"hi\"\"\" = 'zwei', \"a.b\" = '{z}' WHERE " + DOTTED_KEY + " = 2; "
                            + "UPDATE " + DOTTED_SQL + " SET " + DOTTED_KEY + " = 30 WHERE " + DOTTED_KEY + " = 1; "
                            + "UPDATE " + COMMA_SQL + " SET \"x,y\" = 'c,d'; INSERT INTO " + COMMA_SQL + " VALUES (2, NULL); COMMIT",
                    "DELETE FROM " + DOTTED_SQL + " WHERE " + DOTTED_KEY + " = 4");
            String token = Sql.queryRows(r.leaderUrl(), "SELECT pg_current_wal_lsn()::text").get(0).get(0);
            r.awaitFollowerMatchesLeader();
            assertSameRows(r);
            assertEquals(List.of(List.of("t")), Sql.queryRows(r.followerUrl(), "SELECT replog.wait_for_lsn('" + token + "', '60 seconds')"),
                    "the watermark passed every leader transaction");
        }
    }

    /** Debezium 3.6.3 would stream these tables' changes under another table or column name (README, "Names"). */
    @Test
    void namesDebeziumWouldStreamUnderAnotherNameAreRefusedAtStartNamingTheReason() {
        try (Replication r = new Replication("refused_names", 1, List.of(DOTTED))) {
            r.leader("CREATE TABLE \"it''s\" (id int PRIMARY KEY)", "CREATE TABLE \"\"\"q\"\"\" (id int PRIMARY KEY)",
                    "CREATE TABLE cased (id int PRIMARY KEY, \"Name\" text, name text)",
                    "CREATE TABLE wrapped (id int PRIMARY KEY, \"'w'\" text)");
            assertRefused(r, new TableId("public", "it''s"), "contains two ' or two ` in a row");
            assertRefused(r, new TableId("public", "\"q\""), "starts or ends with '\"'");
            assertRefused(r, new TableId("public", "cased"), "column 'name' differs from another column only in case");
            assertRefused(r, new TableId("public", "wrapped"), "column ''w'' starts and ends with '");
        }
    }

    private static void assertRefused(Replication r, TableId table, String why) {
        CaptureSettings s = r.captureSettings();
        CaptureSettings one = new CaptureSettings(s.leader(), s.slotName(), s.publicationName(), List.of(table), s.snapshotMode(),
                s.heartbeatInterval(), s.topics(), s.topicSettings(), s.kafka());
        CaptureException e = assertThrows(CaptureException.class, () -> CaptureService.start(one));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    /** Column by column, every value as PostgreSQL's text. */
    private static void assertSameRows(Replication r) {
        assertEquals(TableContents.of(r.leaderUrl(), DOTTED_SQL, DOTTED_KEY), TableContents.of(r.followerUrl(), DOTTED_SQL, DOTTED_KEY));
        assertEquals(TableContents.of(r.leaderUrl(), COMMA_SQL, "id"), TableContents.of(r.followerUrl(), COMMA_SQL, "id"));
    }
}
