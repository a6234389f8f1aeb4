package dev.replog.cli.e2e;

import dev.replog.cli.Main;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TestDatabase;
import dev.replog.testkit.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code replog verify} through the command line: one verdict line per table, every form of
 * {@code capture.tables}, chunked by primary-key ranges, exit code 0 only if every table matches.
 */
class VerifyTest {

    private final TestServers servers = TestServers.get();

    @TempDir
    Path dir;

    @Test
    void aPatternConfigVerifiesMatchForEveryTableItMatchesAfterReplication() throws Exception {
        try (Replication r = new Replication("verify_pattern", 2, List.of(new TableId("public", "*")))) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                    "CREATE TABLE \"MixedCase\" (\"Id\" text PRIMARY KEY, note text)",
                    "INSERT INTO accounts SELECT g, g * 10 FROM generate_series(1, 500) g",
                    "INSERT INTO \"MixedCase\" VALUES ('a', 'one'), ('B', NULL)",
                    "CREATE SCHEMA other", "CREATE TABLE other.skipped (id int PRIMARY KEY)", "INSERT INTO other.skipped VALUES (1)");
            r.startCapture();
            r.startApplier();
            r.leader("UPDATE accounts SET balance = 0 WHERE id % 7 = 0", "DELETE FROM accounts WHERE id > 490",
                    "INSERT INTO \"MixedCase\" VALUES ('c''s, \"q\"', 'three')");
            r.awaitFollowerMatchesLeader(List.of(new TableId("public", "accounts"), new TableId("public", "MixedCase")));

            Outcome o = verify(r.leaderDatabase(), r.followerDatabase(), "public.*", 100);

            assertEquals(List.of(
                    "MATCH     public.MixedCase: 3 rows in 1 chunk of up to 100 rows, checksum " + digest(o, 0),
                    "MATCH     public.accounts: 490 rows in 5 chunks of up to 100 rows, checksum " + digest(o, 1)), o.lines());
            assertEquals(0, o.code());
        }
    }

    @Test
    void aPatternReportsTablesTheFollowerLacksAndTablesOnlyTheFollowerHas() throws IOException {
        Databases d = databases("verify_sides");
        d.both("CREATE TABLE kept (id int PRIMARY KEY)", "INSERT INTO kept VALUES (1), (2)");
        Sql.execute(d.leaderUrl(), "CREATE TABLE only_leader (id int PRIMARY KEY)");
        Sql.execute(d.followerUrl(), "CREATE TABLE only_follower (id int PRIMARY KEY)");

        Outcome o = verify(d.leader(), d.follower(), "public.*", 100);

        assertEquals(List.of(
                "MATCH     public.kept: 2 rows in 1 chunk of up to 100 rows, checksum " + digest(o, 0),
                "MISMATCH  public.only_follower: table exists on the follower but not on the leader",
                "MISMATCH  public.only_leader: table exists on the leader but not on the follower"), o.lines());
        assertEquals(1, o.code());
    }

    @Test
    void verifyNamesTheFirstDifferingKeyRange() throws IOException {
        Databases d = databases("verify_range");
        d.both("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                "INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 1000) g");
        Sql.execute(d.followerUrl(), "UPDATE accounts SET balance = 101 WHERE id = 457", "UPDATE accounts SET balance = 99 WHERE id = 458");

        Outcome o = verify(d.leader(), d.follower(), "public.accounts", 100);

        assertEquals(List.of("MISMATCH  public.accounts: leader 1000 rows, follower 1000 rows; 1 of 10 chunks of up to 100 rows differ, "
                + "the first at key range (id) > (400) AND (id) <= (500): leader 100 rows, follower 100 rows"), o.lines());
        assertEquals(1, o.code());
    }

    @Test
    void rowsMissingOrInExcessOnTheFollowerAreFoundInTheFirstAndLastRanges() throws IOException {
        Databases d = databases("verify_edges");
        d.both("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                "INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 1000) g");
        Sql.execute(d.followerUrl(), "DELETE FROM accounts WHERE id = 1", "INSERT INTO accounts VALUES (5000, 1)");

        Outcome o = verify(d.leader(), d.follower(), "public.accounts", 100);

        assertEquals(List.of("MISMATCH  public.accounts: leader 1000 rows, follower 1000 rows; 2 of 10 chunks of up to 100 rows differ, "
                + "the first at key range (id) <= (100): leader 100 rows, follower 99 rows"), o.lines());
    }

    @Test
    void aTableOfSeveralHundredThousandRowsIsComparedInSmallChunks() throws IOException {
        Databases d = databases("verify_big");
        d.both("CREATE TABLE big (id bigint PRIMARY KEY, label text NOT NULL, amount numeric(12,2))",
                "INSERT INTO big SELECT g, md5(g::text), g / 100.0 FROM generate_series(1, 300000) g");

        long start = System.nanoTime();
        Outcome same = verify(d.leader(), d.follower(), "public.big", 5_000);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("verify of 300,000 rows in chunks of 5,000 took " + millis + " ms");

        assertEquals(List.of("MATCH     public.big: 300000 rows in 60 chunks of up to 5000 rows, checksum " + digest(same, 0)), same.lines());
        assertEquals(0, same.code());

        Sql.execute(d.followerUrl(), "UPDATE big SET label = 'changed' WHERE id = 123456");
        Outcome changed = verify(d.leader(), d.follower(), "public.big", 5_000);
        assertEquals(List.of("MISMATCH  public.big: leader 300000 rows, follower 300000 rows; 1 of 60 chunks of up to 5000 rows differ, "
                + "the first at key range (id) > (120000) AND (id) <= (125000): leader 5000 rows, follower 5000 rows"), changed.lines());
        assertEquals(1, changed.code());
    }

    @Test
    void compositePrimaryKeysAreWalkedInKeyOrder() throws IOException {
        Databases d = databases("verify_composite");
        d.both("CREATE TABLE order_lines (sku text, order_id bigint, line_no int, qty int NOT NULL, PRIMARY KEY (order_id, line_no, sku))",
                "INSERT INTO order_lines SELECT 'sku-' || l, o, l, o + l FROM generate_series(1, 200) o, generate_series(1, 10) l");
        Sql.execute(d.followerUrl(), "UPDATE order_lines SET qty = 0 WHERE order_id = 45 AND line_no = 3");

        Outcome o = verify(d.leader(), d.follower(), "order_lines", 300);

        assertEquals(List.of("MISMATCH  public.order_lines: leader 2000 rows, follower 2000 rows; 1 of 7 chunks of up to 300 rows differ, "
                + "the first at key range (order_id, line_no, sku) > (30, 10, 'sku-10') AND (order_id, line_no, sku) <= (60, 10, 'sku-10'): "
                + "leader 300 rows, follower 300 rows"), o.lines());
    }

    /** Names with dots, quotes, spaces, commas and mixed case, in the table, its schema, its key columns and key values. */
    @Test
    void quotedIdentifiersAndTextKeysWorkListedAndInAPattern() throws IOException {
        Databases d = databases("verify_quoted");
        String table = "\"My.Schema\".\"we\"\"ird.Tab le\"";
        d.both("CREATE SCHEMA \"My.Schema\"",
                "CREATE TABLE " + table + " (\"k.\"\"ey\" text, \"Line No\" int, \"Say \"\"hi\"\"\" text, "
                        + "PRIMARY KEY (\"k.\"\"ey\", \"Line No\"))",
                "INSERT INTO " + table + " SELECT 'it''s, \"k\" ' || lpad(g::text, 3, '0'), g % 3, 'hi ' || g FROM generate_series(1, 30) g");

        Outcome listed = verify(d.leader(), d.follower(), table, 10);
        Outcome pattern = verify(d.leader(), d.follower(), "\"My.Schema\".*", 10);

        String match = "MATCH     \"My.Schema\".\"we\"\"ird.Tab le\": 30 rows in 3 chunks of up to 10 rows, checksum ";
        assertEquals(List.of(match + digest(listed, 0)), listed.lines());
        assertEquals(List.of(match + digest(listed, 0)), pattern.lines());

        Sql.execute(d.followerUrl(), "UPDATE " + table + " SET \"Say \"\"hi\"\"\" = 'bye' WHERE \"k.\"\"ey\" LIKE '%014'");
        Outcome changed = verify(d.leader(), d.follower(), table, 10);
        assertEquals(List.of("MISMATCH  \"My.Schema\".\"we\"\"ird.Tab le\": leader 30 rows, follower 30 rows; 1 of 3 chunks of up to 10 rows differ, "
                + "the first at key range (\"k.\"\"ey\", \"Line No\") > ('it''s, \"k\" 010', 1) AND (\"k.\"\"ey\", \"Line No\") <= ('it''s, \"k\" 020', 2): "
                + "leader 10 rows, follower 10 rows"), changed.lines());
        assertEquals(1, changed.code());
    }

    @Test
    void aChunkSizeBelowOneIsRefusedAtStart() throws IOException {
        Databases d = databases("verify_config");
        Outcome o = verify(d.leader(), d.follower(), "public.*", 0);
        assertEquals(2, o.code());
        assertEquals("replog: configuration error:\n  config key 'verify.chunk.rows' must be at least 1, not 0\n", o.stderr());
    }

    private Databases databases(String name) {
        return new Databases(TestDatabase.fresh(servers.leader(), name), TestDatabase.fresh(servers.follower(), name));
    }

    private final class Databases {
        private final String leader;
        private final String follower;

        Databases(String leader, String follower) {
            this.leader = leader;
            this.follower = follower;
        }

        String leader() {
            return leader;
        }

        String follower() {
            return follower;
        }

        String leaderUrl() {
            return servers.leader().jdbcUrl(leader);
        }

        String followerUrl() {
            return servers.follower().jdbcUrl(follower);
        }

        /** The same statements on both databases: tables that start out equal. */
        void both(String... sql) {
            Sql.execute(leaderUrl(), sql);
            Sql.execute(followerUrl(), sql);
        }
    }

    private record Outcome(int code, String stdout, String stderr) {
        /** The verdict lines (log lines of the test's own replication share stdout). */
        List<String> lines() {
            return stdout.lines().filter(l -> l.startsWith("MATCH ") || l.startsWith("MISMATCH ")).toList();
        }
    }

    /** The checksum a MATCH line of the outcome ends with: equal on both sides, so the test takes it from the output. */
    private static String digest(Outcome o, int line) {
        String l = o.lines().get(line);
        return l.substring(l.lastIndexOf(' ') + 1);
    }

    private Outcome verify(String leaderDb, String followerDb, String tables, int chunkRows) throws IOException {
        PostgresServer l = servers.leader();
        PostgresServer f = servers.follower();
        Path config = dir.resolve("verify-" + leaderDb + ".properties");
        Files.write(config, List.of(
                "kafka.bootstrap.servers=" + servers.kafka().bootstrapServers(),
                "leader.host=" + l.host(), "leader.port=" + l.port(), "leader.database=" + leaderDb,
                "leader.user=" + l.user(), "leader.sslmode=disable",
                "capture.tables=" + tables.replace("\\", "\\\\"),
                "follower.jdbc.url=jdbc:postgresql://" + f.host() + ":" + f.port() + "/" + followerDb,
                "follower.user=" + f.user(), "follower.sslmode=disable",
                "verify.chunk.rows=" + chunkRows), StandardCharsets.UTF_8);
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run("verify", "--config", config.toString());
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}
