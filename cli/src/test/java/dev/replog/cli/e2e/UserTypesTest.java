package dev.replog.cli.e2e;

import dev.replog.applier.ApplyMode;
import dev.replog.capture.CaptureException;
import dev.replog.capture.CaptureService;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * User-defined and extension types reach the follower exactly: the follower, lacking every one of
 * them, creates them from the table definition the log carries (dependencies first, under the
 * leader's schema and exact name), and every value, from the initial snapshot (ids 101..) and the
 * stream (ids 1..), reads on the follower as the same text as on the leader.
 */
class UserTypesTest {

    private static final TableId PETS = new TableId("public", "pets");
    private static final String EXTENSIONS = "CREATE EXTENSION hstore; CREATE EXTENSION citext; CREATE EXTENSION ltree; "
            + "CREATE EXTENSION cube";

    private static final String TYPES = """
            CREATE SCHEMA "Odd ""T"" s";
            CREATE TYPE "Tier" AS ENUM ('a,b', 'it''s', 'ünï 🚀', 'plain', '"q"');
            CREATE TYPE "Odd ""T"" s".mood AS ENUM ('sad', 'happy');
            CREATE TYPE point3 AS (x float8, y float8, "Z ""z"" !" text);
            CREATE TYPE shipment AS (label text, at point3, tiers "Tier"[], mood "Odd ""T"" s".mood);
            CREATE DOMAIN tier_list AS "Tier"[] CHECK (cardinality(VALUE) < 5);
            CREATE DOMAIN short_text AS text COLLATE "C" CONSTRAINT "short ""!"" x" CHECK (length(VALUE) < 20);
            CREATE DOMAIN shouty AS short_text DEFAULT 'HEY' CHECK (VALUE = upper(VALUE));
            CREATE DOMAIN east_point AS point3 CHECK ((VALUE).x >= 0);
            CREATE TYPE "Odd ""T"" s".tier_range AS RANGE (subtype = "Tier", multirange_type_name = "Odd ""T"" s"."Tier ranges");
            CREATE TYPE float_range AS RANGE (subtype = float8, subtype_diff = float8mi)""";

    private static final String TABLE = """
            CREATE TABLE pets (id int PRIMARY KEY, tier "Tier", tiers "Tier"[], mood "Odd ""T"" s".mood,
              ship shipment, ships shipment[], tl tier_list, st short_text, sh shouty, ep east_point, eps east_point[],
              tr "Odd ""T"" s".tier_range, tmr "Odd ""T"" s"."Tier ranges", fr float_range,
              h hstore, ci citext, lt ltree, cu cube, hs hstore[], trs "Odd ""T"" s".tier_range[])""";

    private static final String ROWS = """
            INSERT INTO pets VALUES
            (1, 'a,b', '{"a,b","it''s",NULL,"ünï 🚀","\\"q\\""}', 'sad',
             ROW('label, "quoted" (x)', ROW(1.5, -0, 'z'), '{"a,b"}', 'happy'),
             ARRAY[ROW('a', NULL, NULL, NULL)::shipment, NULL, ROW(NULL, ROW(NULL, NULL, NULL), '{}', NULL)::shipment],
             '{plain,"a,b"}', 'it''s, "q"', DEFAULT, ROW(0, 1e300, ''), '{"(1,2,x)",NULL}',
             '["a,b","ünï 🚀")', '{["a,b","it''s"], ["plain",]}', '(-Infinity,1.5]',
             'a=>1, "b c"=>NULL, "\\"q\\""=>"x,y", ""=>""', 'MiXeD Case', 'top.sci.astro', '(1, 2, 3),(4, 5, 6)',
             '{"a=>1",NULL}', '{"[\\"a,b\\",plain]",empty,NULL}'),
            (2, 'ünï 🚀', '{}', 'happy', ROW(NULL, NULL, NULL, NULL), '{}', '{}', 'ünï 🚀', 'ÜNÏ', ROW(NULL, NULL, NULL),
             '{}', 'empty', '{}', '[1e-300,1e300)', '', '', '', '(0)', '{}', '{}'),
            (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)""";

    private static final List<String> COLUMNS = List.of("tier", "tiers", "mood", "ship", "ships", "tl", "st", "sh", "ep", "eps",
            "tr", "tmr", "fr", "h", "ci", "lt", "cu", "hs", "trs");

    @ParameterizedTest
    @EnumSource(ApplyMode.class)
    void everyUserAndExtensionTypeIsCreatedOnTheFollowerAndItsValuesArriveExactlyFromSnapshotAndStream(ApplyMode mode)
            throws Exception {
        try (Replication r = new Replication("user_types_" + mode.name().toLowerCase(), 1, List.of(PETS))) {
            r.mode(mode);
            r.leader(EXTENSIONS, TYPES, TABLE, ROWS.replaceAll("\\n\\((\\d), ", "\n(10$1, "));
            // The follower lacks every type; apply may create the extensions (apply.create.extensions=true).
            r.createExtensions(true);
            r.startCapture();
            r.startApplier();
            r.leader(ROWS, "UPDATE pets SET ship.label = 'new', tier = 'plain', h = h || 'k=>v' WHERE id IN (1, 101)");
            r.awaitFollowerMatchesLeader();
            for (String column : COLUMNS) {
                String sql = "SELECT id, " + column + "::text FROM pets ORDER BY id";
                assertEquals(Sql.queryRows(r.leaderUrl(), sql), Sql.queryRows(r.followerUrl(), sql), "column " + column);
            }
            TableDefinitions.assertSame(r, "public.pets");
            assertEquals(types(r.leaderUrl()), types(r.followerUrl()), "the user types, as the catalog describes them");
        }
    }

    @Test
    void enumLabelsAndDomainChangesReachTheFollowerBeforeTheRowsThatUseThemWhileReplicationRuns() throws Exception {
        TableId orders = new TableId("public", "orders");
        try (Replication r = new Replication("user_type_changes", 1, List.of(orders))) {
            r.leader("CREATE TYPE \"Status\" AS ENUM ('new', 'done')",
                    "CREATE DOMAIN qty AS int CONSTRAINT positive CHECK (VALUE > 0)",
                    "CREATE DOMAIN note AS text CONSTRAINT short CHECK (length(VALUE) < 10)",
                    "CREATE TABLE orders (id int PRIMARY KEY, status \"Status\", history \"Status\"[], n qty, t note)",
                    "INSERT INTO orders VALUES (101, 'new', '{new}', 1, 'x')");
            r.startCapture();
            r.startApplier();
            r.leader("INSERT INTO orders VALUES (1, 'done', NULL, 2, 'y')");
            r.awaitFollowerMatchesLeader();
            // Each label is used in the very transaction after the one that added it.
            r.leader("ALTER TYPE \"Status\" ADD VALUE 'paid, \"really\"' BEFORE 'done'",
                    "INSERT INTO orders VALUES (2, 'paid, \"really\"', '{new,\"paid, \\\"really\\\"\"}', 3, 'z')",
                    "ALTER TYPE \"Status\" ADD VALUE 'draft' BEFORE 'new'",
                    "ALTER TYPE \"Status\" ADD VALUE 'ünï'",
                    "UPDATE orders SET status = 'draft', history = '{ünï,draft}' WHERE id = 1",
                    "ALTER DOMAIN qty DROP CONSTRAINT positive",
                    "ALTER DOMAIN qty ADD CONSTRAINT \"at most 99\" CHECK (VALUE <= 99)",
                    "ALTER DOMAIN qty SET DEFAULT 7",
                    "ALTER DOMAIN note SET NOT NULL",
                    "INSERT INTO orders VALUES (3, 'ünï', NULL, -5, 'w')");
            r.awaitFollowerMatchesLeader();
            assertEquals(types(r.leaderUrl()), types(r.followerUrl()), "labels in the leader's order, the domains' new constraints");
            r.leader("ALTER DOMAIN note DROP NOT NULL", "ALTER DOMAIN qty DROP DEFAULT",
                    "INSERT INTO orders (id, status) VALUES (4, 'paid, \"really\"')");
            r.awaitFollowerMatchesLeader();
            String text = "SELECT id, status::text, history::text, n::text, t FROM orders ORDER BY id";
            assertEquals(Sql.queryRows(r.leaderUrl(), text), Sql.queryRows(r.followerUrl(), text));
            assertEquals(types(r.leaderUrl()), types(r.followerUrl()), "labels in the leader's order, the domains' new constraints");
        }
    }

    @Test
    void aMissingExtensionOrADifferentFollowerTypeStopsItsTableAndWhatCannotTravelIsRefusedAtStartNamingIt() throws Exception {
        TableId tagged = new TableId("public", "tagged");
        TableId ranked = new TableId("public", "ranked");
        TableId plain = new TableId("public", "plain");
        try (Replication r = new Replication("user_type_extension", 1, List.of(tagged, ranked, plain))) {
            r.leader("CREATE EXTENSION ltree", "CREATE TABLE tagged (id int PRIMARY KEY, path ltree)",
                    "CREATE TYPE \"Rank\" AS ENUM ('a', 'b')", "CREATE TABLE ranked (id int PRIMARY KEY, r \"Rank\")",
                    "CREATE TABLE plain (id int PRIMARY KEY)", "INSERT INTO tagged VALUES (1, 'a.b')", "INSERT INTO plain VALUES (1)",
                    "INSERT INTO ranked VALUES (1, 'a')");
            r.follower("CREATE TYPE \"Rank\" AS ENUM ('b', 'a')");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader(List.of(plain));
            Await.until("tables tagged and ranked stop", Replication.CATCH_UP,
                    () -> Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM replog.stopped_tables") == 2);
            List<List<String>> errors = Sql.queryRows(r.followerUrl(), "SELECT error FROM replog.stopped_tables ORDER BY table_name");
            String error = errors.get(1).get(0);
            assertTrue(error.contains("table public.tagged column 'path': type \"public\".\"ltree\" is provided by extension ltree, "
                    + "which the follower lacks; install it on the follower (CREATE EXTENSION \"ltree\" SCHEMA \"public\""), error);
            error = errors.get(0).get(0);
            assertTrue(error.contains("table public.ranked column 'r': enum \"public\".\"Rank\" has the labels [b, a] on the follower "
                    + "but [a, b] on the leader"), error);
            assertFalse(r.applier().stopped().isDone(), "only the table stops, not the applier");
            r.stopCapture();

            r.leader("CREATE FUNCTION my_diff(a float8, b float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS 'SELECT a - b'",
                    "CREATE TYPE my_range AS RANGE (subtype = float8, subtype_diff = my_diff)",
                    "ALTER TABLE plain ADD COLUMN span my_range");
            Exception e = assertThrows(CaptureException.class,
                    () -> CaptureService.start(r.captureSettings()));
            assertTrue(e.getMessage().contains("captured table public.plain: range type my_range has its subtype_diff function "
                    + "my_diff(double precision,double precision), which Replog cannot create on a follower"), e.getMessage());

            r.leader("ALTER TABLE plain DROP COLUMN span", "CREATE TYPE color AS ENUM ('red')", "CREATE DOMAIN warm AS color");
            e = assertThrows(CaptureException.class,
                    () -> CaptureService.start(r.captureSettings()));
            assertTrue(e.getMessage().contains("without labels of their own (public.warm)"), e.getMessage());
        }
    }

    /** Every user type outside pg_catalog and the extensions: kind, name, and what defines it. */
    private static List<List<String>> types(String url) {
        return Sql.queryRows(url, """
                SELECT t.typtype::text, format('%I.%I', n.nspname, t.typname),
                       coalesce((SELECT string_agg(e.enumlabel, '|' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), ''),
                       coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                                 FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0), ''),
                       coalesce(format_type(nullif(t.typbasetype, 0), t.typtypmod), ''), coalesce(pg_get_expr(t.typdefaultbin, 0), ''),
                       coalesce((SELECT string_agg(k.conname || ' ' || pg_get_constraintdef(k.oid), '; ' ORDER BY k.conname)
                                 FROM pg_constraint k WHERE k.contypid = t.oid), ''),
                       coalesce((SELECT format_type(g.rngsubtype, NULL) || ' ' || format_type(g.rngmultitypid, NULL) || ' '
                                        || g.rngsubdiff::text FROM pg_range g WHERE g.rngtypid = t.oid), '')
                FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND t.typtype IN ('e', 'c', 'd', 'r', 'm')
                  AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
                ORDER BY 2""");
    }
}
