package dev.replog.cli.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.replog.capture.CaptureException;
import dev.replog.capture.CaptureService;
import dev.replog.capture.CaptureSettings;
import dev.replog.capture.LeaderConnection;
import dev.replog.capture.TimetzOffsets;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TableContents;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every supported PostgreSQL type arrives on the follower exactly, edge values and NULL included,
 * whether the initial snapshot read the row (ids 101..) or the stream carried it (ids 1..); a type
 * Replog cannot carry is refused at capture start. Every built-in type: {@link TypeZooTest}.
 */
class TypeFidelityTest {

    private static final TableId ZOO = new TableId("public", "zoo");

    private static final String TABLE = """
            CREATE TABLE zoo (
              id int PRIMARY KEY,
              i2 smallint, i4 integer, i8 bigint,
              n numeric, n_ps numeric(38,10), f4 real, f8 double precision,
              b boolean, t text, vc varchar(12), ch char(5), by bytea, u uuid, j json, jb jsonb,
              d date DEFAULT '2000-01-01', tm time, ts timestamp DEFAULT 'infinity', tstz timestamptz, iv interval,
              ip inet, cidr_ cidr, mac macaddr,
              a_i int[] DEFAULT '{1,2}', a_t text[], a_n numeric[], a_i2d int[][],
              mood_ mood, pos positive_int, a_mood mood[])""";

    private static final String ROWS = """
            INSERT INTO zoo VALUES
            (1, -32768, -2147483648, -9223372036854775808,
             123456789012345678901234567890.123456789, 1234567890123456789012345678.0123456789, 3.4028235e38, -1.7976931348623157e308,
             true, '', 'twelve chars', 'ab', '\\x', '00000000-0000-0000-0000-000000000000', '{"b":1,  "a":[1,2]}', '{"b":1,"a":[1,2]}',
             '0001-01-01', '00:00:00', '0001-01-01 00:00:00', '1970-01-01 00:00:00.000001+00', '1 year 2 months 3 days 04:05:06.789012',
             '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03',
             '{}', '{}', '{}', '{{1,2},{3,4}}',
             'sad', 1, '{}'),
            (2, 32767, 2147483647, 9223372036854775807,
             'NaN', -0.0000000001, 'NaN', '-Infinity',
             false, 'unicode 🚀 𝄞 ünï', 'x', 'abcde', '\\x00ff7f80', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '[]', '{}',
             '2999-12-31', '23:59:59.999999', '2999-12-31 23:59:59.999999', '2023-06-01 12:34:56.789012+05:30', '-1 days -00:00:01',
             '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff',
             '{1,NULL,3}', '{"a,b","c\\"d",NULL,"","NULL"," x ","{}"}', '{1.5,-2.25,0}', '{{NULL,2},{3,4}}',
             'happy', 2147483647, '{happy,NULL,sad}'),
            (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
             NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
            (4, 0, 0, 0, 0, 0, 'Infinity', '-0', true, 'x', '', ' ', '\\x00', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'null', 'null',
             '1999-01-08', '24:00:00', '1999-01-08 04:05:06', 'infinity', '0',
             '0.0.0.0', '0.0.0.0/0', '00:00:00:00:00:00', '{-2147483648}', '{"🚀"}', '{NaN}', '{{1}}', 'ok', 0, '{ok}'),
            (5, 1, 1, 1, 'Infinity', 99999999999999999999999999.9999999999, '-0', 1.17549435e-38, false, 'a\\b''c', 'ä', 'ä', '\\xdeadbeef',
             'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '"s"', '[1, "🚀", null, {"k": []}]',
             '0044-03-15 BC', '12:34:56.5', '0044-03-15 12:00:00 BC', '-infinity', '178000000 years',
             '10.1.2.3', '192.168.100.128/25', 'de:ad:be:ef:00:01', '[0:2]={7,8,9}', '{"\\\\"}', '{-Infinity,Infinity,NaN,0.000001}',
             '{{{1,2}},{{3,4}}}', 'ok', 7, NULL),
            (6, -1, -1, -1, '-Infinity', -99999999999999999999999999.9999999999, 1.4e-45, 4.9e-324, true, repeat('long ', 1000), NULL, NULL, NULL,
             NULL, NULL, NULL, 'infinity', NULL, 'infinity', '-infinity', '-178000000 years', NULL, NULL, NULL, '{}', '{}', '{}', '{}', NULL, NULL, '{}'),
            (7, 2, 2, 2, 0.1, 0.1, 0.1, 0.1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
             '-infinity', NULL, '-infinity', NULL, NULL, NULL, NULL, NULL, '{{}}', NULL, '{{1.5},{NULL}}', '{{1,2,3}}', NULL, NULL, NULL),
            (8, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
             '4713-01-01 BC', NULL, NULL, '4713-01-01 00:00:00+00 BC', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)""";

    private static final List<String> COLUMNS = List.of("id", "i2", "i4", "i8", "n", "n_ps", "f4", "f8", "b", "t", "vc", "ch", "by",
            "u", "j", "jb", "d", "tm", "ts", "tstz", "iv", "ip", "cidr_", "mac", "a_i", "a_t", "a_n", "a_i2d", "mood_", "pos", "a_mood");

    @Test
    void everySupportedTypeArrivesExactlyWithEdgeValuesAndNull() throws Exception {
        try (Replication r = new Replication("types", 1, List.of(ZOO))) {
            r.leader("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                    "CREATE DOMAIN positive_int AS int CHECK (VALUE >= 0)");
            // The follower creates the enum and the domain itself, from the table definition.
            r.leader(TABLE, snapshotIds(ROWS));
            r.startApplier();
            r.startCapture();
            r.leader(ROWS);
            r.leader("UPDATE zoo SET t = t || '!', d = d + 1 WHERE id IN (1, 2, 5, 101, 105)");
            r.awaitFollowerMatchesLeader();
            for (String column : COLUMNS) {
                String sql = "SELECT id, " + column + "::text FROM zoo ORDER BY zoo.id";
                assertEquals(Sql.queryRows(r.leaderUrl(), sql), Sql.queryRows(r.followerUrl(), sql), "column " + column);
            }
            assertEquals(List.of(List.of("{sad,ok,happy}")), Sql.queryRows(r.followerUrl(), "SELECT enum_range(NULL::mood)::text"));
            assertEquals(TableContents.of(r.leaderUrl(), "public.zoo", "id"), TableContents.of(r.followerUrl(), "public.zoo", "id"));
        }
    }

    /**
     * Debezium 3.6.3 turns a streamed pg_catalog.timetz into UTC before any converter sees it; capture's
     * domain {@code public.timetz} over text makes Debezium pass pgoutput's text instead (see TimetzDomain).
     */
    @Test
    void timetzKeepsItsOffsetFromTheSnapshotAndTheStream() throws Exception {
        TableId clocks = new TableId("public", "clocks");
        String rows = "INSERT INTO clocks VALUES (1, '00:00:00+14'), (2, '23:59:59.999999-12:30'), (3, '12:00:00+00'), "
                + "(4, '01:02:03.5-03'), (5, NULL), (6, '24:00:00-15:59:59')";
        try (Replication r = new Replication("timetz", 1, List.of(clocks))) {
            r.leader("CREATE TABLE clocks (id int PRIMARY KEY, ttz timetz NOT NULL DEFAULT '08:00+05:30', early timetz[])",
                    snapshotIds(rows).replace("VALUES", "(id, ttz) VALUES").replace("(105, NULL)", "(105, DEFAULT)"),
                    "UPDATE clocks SET early = ARRAY[ttz, '00:00-01']");
            r.startApplier();
            r.startCapture();
            r.leader(rows.replace("VALUES", "(id, ttz) VALUES").replace("(5, NULL)", "(5, DEFAULT)"),
                    "UPDATE clocks SET ttz = '10:00:00+05:45', early = '{\"07:00:00-09:30\"}' WHERE id = 3",
                    "UPDATE clocks SET id = 7 WHERE id = 4");
            r.awaitFollowerMatchesLeader();
            String text = "SELECT id, ttz::text, early::text FROM clocks ORDER BY id";
            assertEquals(Sql.queryRows(r.leaderUrl(), text), Sql.queryRows(r.followerUrl(), text));
            assertEquals(List.of(List.of("2", "23:59:59.999999-12:30")),
                    Sql.queryRows(r.followerUrl(), "SELECT id, ttz::text FROM clocks WHERE id = 2"));
            assertEquals("text", timetzDomainOnTheLeader(r));
        }
    }

    /**
     * {@code capture.timetz.offsets=utc}: nothing is added to the leader's schemas; a streamed timetz keeps
     * its instant but arrives with offset +00, and one WARN line at start names each such column. The
     * snapshot and timetz arrays keep the offset.
     */
    @Test
    void timetzWithUtcOffsetsCreatesNoDomainAndStreamsTheInstantWithOffsetZero() throws Exception {
        TableId clocks = new TableId("public", "clocks");
        String rows = "INSERT INTO clocks VALUES (1, '00:00:00+14', '{\"07:00:00-09:30\"}'), (2, '23:59:59.999999-12:30', NULL), "
                + "(3, '12:00:00+00', '{}'), (4, '01:02:03.5-03', '{NULL,\"00:00-01\"}'), (5, NULL, NULL)";
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        Logger timetzLog = (Logger) LoggerFactory.getLogger("dev.replog.capture.TimetzDomain");
        warnings.start();
        timetzLog.addAppender(warnings);
        try (Replication r = new Replication("timetz_utc", 1, List.of(clocks))) {
            r.timetzOffsets(TimetzOffsets.UTC);
            r.leader("CREATE TABLE clocks (id int PRIMARY KEY, ttz timetz, early timetz[])", snapshotIds(rows));
            r.startApplier();
            r.startCapture();
            r.leader(rows);
            String instants = "SELECT id, (ttz AT TIME ZONE 'UTC')::text, early::text FROM clocks ORDER BY id";
            Await.until("follower has every clock", Replication.CATCH_UP, () -> {
                if (r.applier().stopped().isCompletedExceptionally()) {
                    r.applier().stopped().join();
                }
                return Sql.queryRows(r.leaderUrl(), instants).equals(Sql.queryRows(r.followerUrl(), instants));
            });
            String snapshotRows = "SELECT id, ttz::text FROM clocks WHERE id > 100 ORDER BY id";
            assertEquals(Sql.queryRows(r.leaderUrl(), snapshotRows), Sql.queryRows(r.followerUrl(), snapshotRows));
            assertEquals(List.of(List.of("2", "12:29:59.999999+00")),
                    Sql.queryRows(r.followerUrl(), "SELECT id, ttz::text FROM clocks WHERE id = 2"));
            assertEquals("none", timetzDomainOnTheLeader(r));
            List<String> lines = warnings.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("\"public\".\"clocks\".\"ttz\" keep their instant but arrive with offset +00"),
                    lines.get(0));
        } finally {
            timetzLog.detachAppender(warnings);
        }
    }

    /** The default, {@code exact}, needs the domain: a leader user who may not create it learns the statement. */
    @Test
    void timetzWithExactOffsetsStopsCaptureAtStartWithTheStatementForAnAdministratorIfTheUserMayNotCreateTheDomain() {
        TableId clocks = new TableId("public", "clocks");
        try (Replication r = new Replication("timetz_denied", 1, List.of(clocks))) {
            r.leader("CREATE TABLE clocks (id int PRIMARY KEY, ttz timetz)",
                    "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replog_no_create') THEN "
                            + "CREATE ROLE replog_no_create LOGIN; END IF; END $$",
                    "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            CaptureSettings s = r.captureSettings();
            LeaderConnection l = s.leader();
            CaptureSettings asPlainUser = new CaptureSettings(new LeaderConnection(l.host(), l.port(), l.database(),
                    "replog_no_create", "", l.sslMode()), s.slotName(), s.publicationName(), s.tables(), s.snapshotMode(),
                    s.heartbeatInterval(), s.topics(), s.topicSettings(), s.kafka(), TimetzOffsets.EXACT);
            CaptureException e = assertThrows(CaptureException.class, () -> CaptureService.start(asPlainUser));
            assertTrue(e.getMessage().contains("cannot create domain \"public\".timetz on the leader"), e.getMessage());
            assertTrue(e.getMessage().contains("Create it as a user who may: CREATE DOMAIN \"public\".timetz AS pg_catalog.text"),
                    e.getMessage());
            assertEquals("none", timetzDomainOnTheLeader(r));
        }
    }

    @Test
    void columnOfATypeReplogCannotCarryExactlyIsRefusedNamingTableColumnAndType() {
        TableId wallets = new TableId("public", "wallets");
        try (Replication r = new Replication("refused", 1, List.of(wallets))) {
            r.leader("CREATE TABLE wallets (id int PRIMARY KEY, owner text, plan pg_node_tree)");
            CaptureException e = assertThrows(CaptureException.class, () -> CaptureService.start(r.captureSettings()));
            assertTrue(e.getMessage().contains("public.wallets column 'plan' has type pg_node_tree: no follower can store a value "
                    + "of pg_node_tree"), e.getMessage());

            r.leader("ALTER TABLE wallets DROP COLUMN plan", "ALTER TABLE wallets ADD COLUMN cursors refcursor[]");
            e = assertThrows(CaptureException.class, () -> CaptureService.start(r.captureSettings()));
            assertTrue(e.getMessage().contains("public.wallets column 'cursors' has type refcursor[]"), e.getMessage());
        }
    }

    /** The base type of the domain {@code public.timetz} on the leader, or "none". */
    private static String timetzDomainOnTheLeader(Replication r) {
        return Sql.queryRows(r.leaderUrl(), "SELECT coalesce((SELECT format_type(typbasetype, NULL) FROM pg_type "
                + "WHERE oid = to_regtype('public.timetz')), 'none')").get(0).get(0);
    }

    /** The same rows with ids 101.. for the initial snapshot. */
    private static String snapshotIds(String insert) {
        return insert.replaceAll("\\((\\d), ", "(10$1, ");
    }
}
