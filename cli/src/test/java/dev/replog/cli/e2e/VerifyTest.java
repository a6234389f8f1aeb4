package dev.replog.cli.e2e;

import dev.replog.applier.ApplyMode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.cli.CommandRun;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.TableId;
import dev.replog.testkit.BankWorkload;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TestDatabase;
import dev.replog.testkit.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * While a bank workload writes on the leader (rows updated back and forth, rows inserted and
     * deleted) and the applier runs: verify reports exactly the rows corrupted on the follower
     * (changed, missing, extra; a composite key too) and none of the workload's, with one worker or
     * several; {@code --repair} writes exactly those rows, and the follower then equals the leader. In
     * both apply modes: each answers the applied LSN its own way and locks its partitions its own way.
     */
    @ParameterizedTest
    @EnumSource(ApplyMode.class)
    void onlineVerifyFindsExactlyTheCorruptedRowsWhileWritesGoOnAndRepairFixesThem(ApplyMode mode) throws Exception {
        List<TableId> tables = List.of(new TableId("public", "accounts"), new TableId("public", "ledger"),
                new TableId("public", "order_lines"));
        BankWorkload bank = new BankWorkload(100);
        try (Replication r = new Replication("verify_online", 2, tables)) {
            r.mode(mode);
            bank.create(r.leaderUrl());
            // A first ledger row, so that the follower has the table before the workload starts.
            r.leader("INSERT INTO ledger (account, amount, note) VALUES (1, 0, 'opening')",
                    "INSERT INTO accounts SELECT g, 5 FROM generate_series(1001, 3000) g",
                    "CREATE TABLE order_lines (order_id bigint, line_no int, qty int NOT NULL, PRIMARY KEY (order_id, line_no))",
                    "INSERT INTO order_lines SELECT o, l, o + l FROM generate_series(1, 200) o, generate_series(1, 5) l");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
            String listed = "public.accounts,public.ledger,public.order_lines";
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService writer = Executors.newSingleThreadExecutor();
            Future<Long> transfers = writer.submit(() -> {
                try (Connection c = DriverManager.getConnection(r.leaderUrl())) {
                    return bank.run(c, new Random(13), running::get, 100);
                }
            });
            try {
                // Rows the workload never touches: a difference in them stays until repaired.
                Sql.execute(r.followerUrl(), "UPDATE accounts SET balance = -1 WHERE id = 1500",
                        "DELETE FROM accounts WHERE id = 2222", "INSERT INTO accounts VALUES (9000, 1)",
                        "UPDATE order_lines SET qty = 0 WHERE order_id = 40 AND line_no = 2",
                        "DELETE FROM order_lines WHERE order_id = 41 AND line_no = 1", "INSERT INTO order_lines VALUES (999, 1, 1)");

                JsonNode serial = json(verify(r.leaderDatabase(), r.followerDatabase(), listed, 200, 1, "--json"), 1);
                JsonNode parallel = json(verify(r.leaderDatabase(), r.followerDatabase(), listed, 200, 4, "--json"), 1);

                for (JsonNode found : List.of(serial, parallel)) {
                    assertFalse(found.get("equal").asBoolean());
                    assertTrue(found.get("online").asBoolean());
                    assertEquals(Map.of("public.accounts", "MISMATCH 1 changed, 1 missing, 1 extra",
                            "public.ledger", "MATCH 0 changed, 0 missing, 0 extra",
                            "public.order_lines", "MISMATCH 1 changed, 1 missing, 1 extra"), differences(found));
                }
                assertEquals(Map.of("public.accounts", List.of("1500 changed", "2222 missing", "9000 extra"),
                        "public.ledger", List.of(),
                        "public.order_lines", List.of("40,2 changed", "41,1 missing", "999,1 extra")), keys(serial));
                assertEquals(keys(serial), keys(parallel));

                JsonNode repaired = json(verify(r.leaderDatabase(), r.followerDatabase(), listed, 200, 4, "--json", "--repair"), 0);

                assertTrue(repaired.get("equal").asBoolean());
                assertEquals(Map.of("public.accounts", "REPAIRED 1 inserted, 1 updated, 1 deleted",
                        "public.ledger", "MATCH 0 inserted, 0 updated, 0 deleted",
                        "public.order_lines", "REPAIRED 1 inserted, 1 updated, 1 deleted"), repairs(repaired));
            } finally {
                running.set(false);
                writer.shutdown();
            }
            assertTrue(transfers.get() > 0, "the workload wrote while verify ran");
            r.awaitFollowerMatchesLeader();
        }
    }

    /** The JSON document of a {@code --json} run (log lines of the test's replication share stdout), after its exit code. */
    private static JsonNode json(Outcome o, int expectedCode) throws IOException {
        List<String> lines = o.stdout().lines().toList();
        int start = lines.indexOf("{");
        int end = lines.lastIndexOf("}");
        assertTrue(start >= 0 && end > start, () -> "no JSON document in: " + o.stdout() + o.stderr());
        assertEquals(expectedCode, o.code(), () -> o.stdout() + o.stderr());
        return new ObjectMapper().readTree(String.join("\n", lines.subList(start, end + 1)));
    }

    /** Per table: its verdict and differences, as {@code MISMATCH 1 changed, 0 missing, 2 extra}. */
    private static Map<String, String> differences(JsonNode doc) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode t : doc.get("tables")) {
            JsonNode d = t.get("differences");
            out.put(t.get("table").asText(), t.get("verdict").asText() + " " + d.get("changed").asLong() + " changed, "
                    + d.get("missing").asLong() + " missing, " + d.get("extra").asLong() + " extra");
        }
        return out;
    }

    /** Per table: the differing rows it names, as {@code 40,2 changed}. */
    private static Map<String, List<String>> keys(JsonNode doc) {
        Map<String, List<String>> out = new TreeMap<>();
        for (JsonNode t : doc.get("tables")) {
            List<String> rows = new java.util.ArrayList<>();
            for (JsonNode k : t.get("firstKeys")) {
                List<String> values = new java.util.ArrayList<>();
                k.get("key").forEach(v -> values.add(v.asText()));
                rows.add(String.join(",", values) + " " + k.get("kind").asText());
            }
            out.put(t.get("table").asText(), rows);
        }
        return out;
    }

    /** Per table: its verdict and the rows the repair wrote, as {@code REPAIRED 1 inserted, 0 updated, 0 deleted}. */
    private static Map<String, String> repairs(JsonNode doc) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode t : doc.get("tables")) {
            JsonNode rep = t.get("repaired");
            out.put(t.get("table").asText(), t.get("verdict").asText() + " " + rep.get("inserted").asLong() + " inserted, "
                    + rep.get("updated").asLong() + " updated, " + rep.get("deleted").asLong() + " deleted");
        }
        return out;
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

        assertEquals(List.of("MISMATCH  public.accounts: leader 1000 rows, follower 1000 rows; 1 of 10 chunks of up to 100 rows differ: "
                + "2 rows (2 changed, 0 missing, 0 extra on the follower), the first at key range (id) > (400) AND (id) <= (500), "
                + "keys (457), (458)"), o.lines());
        assertEquals(1, o.code());
    }

    @Test
    void rowsMissingOrInExcessOnTheFollowerAreFoundInTheFirstAndLastRangesAndRepaired() throws IOException {
        Databases d = databases("verify_edges");
        d.both("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                "INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 1000) g");
        Sql.execute(d.followerUrl(), "DELETE FROM accounts WHERE id = 1", "INSERT INTO accounts VALUES (5000, 1)");

        Outcome o = verify(d.leader(), d.follower(), "public.accounts", 100);

        assertEquals(List.of("MISMATCH  public.accounts: leader 1000 rows, follower 1000 rows; 2 of 10 chunks of up to 100 rows differ: "
                + "2 rows (0 changed, 1 missing, 1 extra on the follower), the first at key range (id) <= (100), keys (1), (5000)"), o.lines());

        Outcome repaired = verify(d.leader(), d.follower(), "public.accounts", 100, 4, "--repair");
        assertEquals(List.of("REPAIRED  public.accounts: leader 1000 rows, follower 1000 rows; 2 of 10 chunks of up to 100 rows differ: "
                + "2 rows (0 changed, 1 missing, 1 extra on the follower), the first at key range (id) <= (100), keys (1), (5000); "
                + "repaired 1 inserted, 0 updated, 1 deleted"), repaired.lines());
        assertEquals(0, repaired.code());
        Outcome after = verify(d.leader(), d.follower(), "public.accounts", 100);
        assertEquals(List.of("MATCH     public.accounts: 1000 rows in 10 chunks of up to 100 rows, checksum " + digest(after, 0)), after.lines());
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
        assertEquals(List.of("MISMATCH  public.big: leader 300000 rows, follower 300000 rows; 1 of 60 chunks of up to 5000 rows differ: "
                + "1 row (1 changed, 0 missing, 0 extra on the follower), the first at key range (id) > (120000) AND (id) <= (125000), "
                + "keys (123456)"), changed.lines());
        assertEquals(1, changed.code());
    }

    @Test
    void compositePrimaryKeysAreWalkedInKeyOrder() throws IOException {
        Databases d = databases("verify_composite");
        d.both("CREATE TABLE order_lines (sku text, order_id bigint, line_no int, qty int NOT NULL, PRIMARY KEY (order_id, line_no, sku))",
                "INSERT INTO order_lines SELECT 'sku-' || l, o, l, o + l FROM generate_series(1, 200) o, generate_series(1, 10) l");
        Sql.execute(d.followerUrl(), "UPDATE order_lines SET qty = 0 WHERE order_id = 45 AND line_no = 3");

        Outcome o = verify(d.leader(), d.follower(), "order_lines", 300);

        assertEquals(List.of("MISMATCH  public.order_lines: leader 2000 rows, follower 2000 rows; 1 of 7 chunks of up to 300 rows differ: "
                + "1 row (1 changed, 0 missing, 0 extra on the follower), the first at key range "
                + "(order_id, line_no, sku) > (30, 10, 'sku-10') AND (order_id, line_no, sku) <= (60, 10, 'sku-10'), keys (45, 3, 'sku-3')"),
                o.lines());
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
        assertEquals(List.of("MISMATCH  \"My.Schema\".\"we\"\"ird.Tab le\": leader 30 rows, follower 30 rows; 1 of 3 chunks of up to 10 rows differ: "
                + "1 row (1 changed, 0 missing, 0 extra on the follower), the first at key range "
                + "(\"k.\"\"ey\", \"Line No\") > ('it''s, \"k\" 010', 1) AND (\"k.\"\"ey\", \"Line No\") <= ('it''s, \"k\" 020', 2), "
                + "keys ('it''s, \"k\" 014', 2)"), changed.lines());
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
            return stdout.lines().filter(l -> l.startsWith("MATCH ") || l.startsWith("MISMATCH ") || l.startsWith("REPAIRED ")).toList();
        }
    }

    /** The checksum a MATCH line of the outcome ends with: equal on both sides, so the test takes it from the output. */
    private static String digest(Outcome o, int line) {
        String l = o.lines().get(line);
        return l.substring(l.lastIndexOf(' ') + 1);
    }

    private Outcome verify(String leaderDb, String followerDb, String tables, int chunkRows) throws IOException {
        return verify(leaderDb, followerDb, tables, chunkRows, 4);
    }

    /** {@code replog verify} with these keys and extra options, its output captured. */
    private Outcome verify(String leaderDb, String followerDb, String tables, int chunkRows, int parallelism, String... options)
            throws IOException {
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
                "verify.chunk.rows=" + chunkRows, "verify.parallelism=" + parallelism, "verify.recheck.timeout.ms=60000"),
                StandardCharsets.UTF_8);
        List<String> args = new java.util.ArrayList<>(List.of("verify", "--config", config.toString()));
        args.addAll(List.of(options));
        CommandRun run = CommandRun.of(args.toArray(String[]::new));
        return new Outcome(run.code(), run.out(), run.err());
    }
}
