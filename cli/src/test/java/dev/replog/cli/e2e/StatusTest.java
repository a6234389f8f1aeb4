package dev.replog.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.applier.ApplyMode;
import dev.replog.cli.CommandRun;
import dev.replog.cli.status.StatusCommand;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.PipelineProperties;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code replog status} on running pipelines: the JSON report, the text table and the exit code. */
class StatusTest {

    private static final TableId ACCOUNTS = new TableId("public", "accounts");
    private static final TableId NOTES = new TableId("public", "notes");
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Never printed: status masks a password in a follower's URL. */
    private static final String PASSWORD = "s3cret-Pw";

    @TempDir
    Path dir;

    @Test
    void lagRisesWhileTheApplierIsStoppedAndFallsToCaughtUpOnceItRuns() throws Exception {
        try (Replication r = new Replication("status_lag", 2, List.of(ACCOUNTS, NOTES));
             ReadReplicas serve = new ReadReplicas(r, List.of(NOTES), 0)) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                    "CREATE TABLE notes (id int PRIMARY KEY, body text)",
                    "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 40) g", "INSERT INTO notes VALUES (1, 'a')");
            r.startCapture();
            serve.startGroup(1);
            String config = config(r, List.of("status.followers=" + r.followerUrl() + "&password=" + PASSWORD
                    + ",serve:" + serve.addresses().get(0))).toString();

            // A follower no applier has written to yet, behind the whole snapshot: behind, but not for long.
            JsonNode snapshot = json(CommandRun.of("status", "--config", config, "--json", "--max-lag-seconds", "3600"), 0);
            assertNull(snapshot.path("followers").get(0).path("mode").textValue());
            JsonNode accounts = table(snapshot, "public.accounts");
            assertEquals("snapshotting", accounts.path("state").asText(), accounts.toString());
            assertTrue(accounts.path("lag").path("records").asLong() >= 40, "the snapshot's rows, none applied yet: " + accounts);
            assertEquals(0.0, accounts.path("snapshotPercent").asDouble(-1), "no row of the copy on the follower yet: " + accounts);

            r.startApplier();
            r.awaitFollowerMatchesLeader();
            JsonNode caughtUp = awaitCaughtUp(config);
            assertEquals(1, caughtUp.path("schema").asInt());
            assertEquals(r.logFormat().toString(), caughtUp.path("log").path("format").asText(), caughtUp.path("log").toString());
            JsonNode capture = caughtUp.path("capture");
            assertEquals(r.captureSettings().slotName(), capture.path("slot").asText());
            assertTrue(capture.path("active").asBoolean(), capture.toString());
            Lsn published = Lsn.parse(capture.path("lastPublishedLsn").asText());
            assertFalse(published.isAfter(Lsn.parse(capture.path("leaderLsn").asText())), capture.toString());
            assertTrue(capture.path("retainedWalBytes").asLong() >= 0, capture.toString());
            assertNotNull(Lsn.parse(capture.path("confirmedFlushLsn").asText()));
            JsonNode follower = caughtUp.path("followers").get(0);
            assertEquals("row", follower.path("mode").asText());
            for (String t : List.of("public.accounts", "public.notes")) {
                JsonNode table = table(caughtUp, t);
                assertEquals("caught-up", table.path("state").asText(), table.toString());
                assertEquals(2, table.path("partitions").size(), "one entry per partition: " + table);
                assertEquals(0, table.path("lag").path("records").asLong());
            }
            JsonNode group = caughtUp.path("serveGroups").get(0);
            assertTrue(group.path("complete").asBoolean(), group.toString());
            assertEquals(List.of("public.notes#0 active", "public.notes#1 active"), servePartitions(group));

            r.stopApplier();
            insertAccounts(r, 41, 50);
            JsonNode behind = awaitLag(config, 10);
            JsonNode lagging = table(behind, "public.accounts");
            assertEquals("running", lagging.path("state").asText());
            assertTrue(lagging.path("lag").path("walBytes").asLong() > 0, lagging.toString());
            assertTrue(lagging.path("lag").path("seconds").asDouble() > 0, lagging.toString());
            assertEquals("caught-up", table(behind, "public.notes").path("state").asText());
            insertAccounts(r, 51, 80);
            JsonNode further = awaitLag(config, 40);
            assertTrue(table(further, "public.accounts").path("lag").path("seconds").asDouble()
                    >= lagging.path("lag").path("seconds").asDouble(), "the oldest unapplied change only gets older");
            CommandRun strict = CommandRun.of("status", "--config", config, "--json", "--max-lag-seconds", "0");
            JsonNode unhealthy = json(strict, StatusCommand.UNHEALTHY);
            assertTrue(unhealthy.path("problems").toString().contains("table public.accounts is"), unhealthy.path("problems").toString());

            r.startApplier();
            JsonNode after = awaitCaughtUp(config);
            Lsn whileStopped = Lsn.parse(further.path("followers").get(0).path("appliedLsn").asText());
            assertTrue(Lsn.parse(after.path("followers").get(0).path("appliedLsn").asText()).isAfter(whileStopped),
                    "the applied LSN moves past the writes made while the applier was stopped: " + after.path("followers").get(0));

            CommandRun text = CommandRun.of("status", "--config", config);
            assertEquals(0, text.code(), text.out() + text.err());
            for (String expected : List.of("public.accounts", "public.notes", "caught-up", "CONFIRMED LSN", "HEALTHY", "password=***")) {
                assertTrue(text.out().contains(expected), "'" + expected + "' in:\n" + text.out());
            }
            assertFalse(text.out().contains(PASSWORD) || strict.out().contains(PASSWORD), "the password is never printed");
        }
    }

    @ParameterizedTest
    @EnumSource(ApplyMode.class)
    void aTableStoppedAtAPoisonEventIsReportedWithItsReasonAndAnUnhealthyExitCode(ApplyMode mode) throws Exception {
        try (Replication r = new Replication("status_stopped_" + mode, 1, List.of(ACCOUNTS, NOTES))) {
            r.mode(mode);
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                    "CREATE TABLE notes (id int PRIMARY KEY, body text)", "INSERT INTO notes VALUES (1, 'a')");
            r.follower("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL CHECK (balance < 100))");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader(List.of(NOTES));
            r.leader("INSERT INTO accounts VALUES (1, 500)");
            Await.until("accounts recorded as stopped", WAIT,
                    () -> Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM replog.stopped_tables") == 1);
            long poison = Sql.queryForLong(r.followerUrl(), "SELECT kafka_offset FROM replog.stopped_tables");
            String config = config(r, List.of()).toString();

            JsonNode report = json(CommandRun.of("status", "--config", config, "--json"), StatusCommand.UNHEALTHY);
            assertEquals(mode.name().toLowerCase(Locale.ROOT), report.path("followers").get(0).path("mode").asText());
            JsonNode stopped = table(report, "public.accounts");
            assertEquals("stopped", stopped.path("state").asText(), stopped.toString());
            JsonNode at = stopped.path("stoppedAt");
            assertEquals(poison, at.path("offset").asLong());
            assertEquals(0, at.path("partition").asInt());
            assertTrue(at.path("reason").asText().startsWith("apply error SQLSTATE 23514"), at.toString());
            assertEquals("caught-up", table(report, "public.notes").path("state").asText(), "nothing of notes is pending");
            assertNull(report.path("capture").path("error").textValue());
            assertTrue(report.path("problems").get(0).asText().contains("table public.accounts stopped at partition 0 offset " + poison),
                    report.path("problems").toString());

            CommandRun text = CommandRun.of("status", "--config", config);
            assertEquals(StatusCommand.UNHEALTHY, text.code(), text.err());
            assertTrue(text.out().contains("public.accounts stopped at partition 0 offset " + poison), text.out());
            assertTrue(text.out().contains("UNHEALTHY"), text.out());
        }
    }

    @Test
    void aTablePublishedWhileALeaderTransactionIsOpenIsListedAsWaitingForItsCopyUntilTheTransactionEnds() throws Exception {
        TableId later = new TableId("public", "later");
        try (Replication r = new Replication("status_copy", 1, List.of(new TableId("public", "*")))) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)", "INSERT INTO accounts VALUES (1, 0)");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader(List.of(ACCOUNTS));
            String config = config(r, List.of()).toString();
            assertEquals("[]", capture(config).path("copiesWaiting").toString());
            try (Connection open = DriverManager.getConnection(r.leaderUrl())) {
                open.setAutoCommit(false);
                Sql.execute(open, "INSERT INTO accounts VALUES (2, 0)");
                r.leader("CREATE TABLE later (id int PRIMARY KEY)", "INSERT INTO later SELECT g FROM generate_series(1, 100) g");
                Await.until("status lists the copy of later as waiting", WAIT,
                        () -> capture(config).path("copiesWaiting").toString().equals("[\"public.later\"]"));
                open.commit();
            }
            r.awaitFollowerMatchesLeader(List.of(ACCOUNTS, later));
            assertEquals("[]", capture(config).path("copiesWaiting").toString(), "the copy was requested");
            Await.until("status shows the copy of later done with its 100 rows, and the initial snapshot of accounts", WAIT, () -> {
                JsonNode copies = capture(config).path("copies");
                return copyState(copies, "public.later").equals("done 100") && copyState(copies, "public.accounts").startsWith("done ");
            });
        }
    }

    /** A table's copy in status's {@code copies}: {@code "<state> <rows>"}, or empty if it has none. */
    private static String copyState(JsonNode copies, String table) {
        for (JsonNode c : copies) {
            if (c.path("table").asText().equals(table)) {
                return c.path("state").asText() + " " + c.path("rows").asText();
            }
        }
        return "";
    }

    /** The pipeline's configuration (its follower in follower.jdbc.url), and {@code extra} lines. */
    private Path config(Replication r, List<String> extra) throws IOException {
        TestServers s = TestServers.get();
        return PipelineProperties.write(dir.resolve("replog.properties"), s.kafka().bootstrapServers(), s.leader(), r.leaderDatabase(),
                s.follower(), r.followerDatabase(), "public.accounts,public.notes", 1, "row", extra);
    }

    private static void insertAccounts(Replication r, int from, int to) {
        for (int id = from; id <= to; id++) {
            r.leader("INSERT INTO accounts VALUES (" + id + ", 1)");
        }
    }

    /** Waits until status is healthy and every table of the follower caught up (healthy alone allows some lag). */
    private static JsonNode awaitCaughtUp(String config) {
        JsonNode[] last = new JsonNode[1];
        Await.until("status is healthy and every table caught up", WAIT, () -> {
            CommandRun run = CommandRun.of("status", "--config", config, "--json");
            last[0] = parse(run);
            boolean allCaughtUp = true;
            for (JsonNode t : last[0].path("followers").get(0).path("tables")) {
                allCaughtUp &= t.path("state").asText().equals("caught-up");
            }
            return run.code() == 0 && allCaughtUp;
        });
        return last[0];
    }

    /** Waits until status counts exactly this many unapplied records of accounts (what capture has published so far grows). */
    private static JsonNode awaitLag(String config, long records) {
        JsonNode[] last = new JsonNode[1];
        Await.until("status shows " + records + " records of accounts behind", WAIT, () -> {
            last[0] = parse(CommandRun.of("status", "--config", config, "--json"));
            return table(last[0], "public.accounts").path("lag").path("records").asLong() == records;
        });
        return last[0];
    }

    private static JsonNode capture(String config) throws IOException {
        return parse(CommandRun.of("status", "--config", config, "--json")).path("capture");
    }

    private static JsonNode json(CommandRun run, int expectedCode) throws IOException {
        assertEquals(expectedCode, run.code(), run.out() + run.err());
        return parse(run);
    }

    /** The report in stdout (other tests' services in this JVM may log there too, never inside it: one write). */
    static JsonNode parse(CommandRun run) throws IOException {
        int start = run.out().startsWith("{\n") ? 0 : run.out().indexOf("\n{\n") + 1;
        int end = run.out().indexOf("\n}", start);
        if (start < 0 || end < 0) {
            throw new AssertionError("no JSON report in: " + run.out() + run.err());
        }
        return JSON.readTree(run.out().substring(start, end + 2));
    }

    private static JsonNode table(JsonNode report, String name) {
        for (JsonNode t : report.path("followers").get(0).path("tables")) {
            if (t.path("table").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no table " + name + " in " + report);
    }

    private static List<String> servePartitions(JsonNode group) {
        List<String> out = new ArrayList<>();
        group.path("partitions").forEach(p -> out.add(p.path("table").asText() + "#" + p.path("partition").asInt() + " "
                + p.path("role").asText()));
        return out;
    }
}
