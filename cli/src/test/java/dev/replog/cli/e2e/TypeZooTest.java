package dev.replog.cli.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplyMode;
import dev.replog.metrics.ServiceMetrics;
import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TableContents;
import dev.replog.testkit.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every built-in type a user table can have, generated from the leader's catalog ({@link TypeZoo}),
 * with its edge values, NULL and arrays of every shape, arrives on the follower with the same text:
 * rows the initial snapshot read, rows inserted and updated through the stream, a table captured
 * through a pattern, and one created while capture runs (copied, then streamed); in both apply modes.
 */
class TypeZooTest {

    private static final String ZOO = "public.zoo";
    private static final String PATTERN_ZOO = "zoo_pattern.zoo";
    private static final String LATE_ZOO = "zoo_pattern.late";
    /** Values the initial snapshot carries exactly but Debezium cannot stream. */
    private static final String SNAPSHOT_ONLY = "zoo_pattern.snapshot_only";

    private final ListAppender<ILoggingEvent> publicationLog = new ListAppender<>();
    private final Logger publicationLogger = (Logger) LoggerFactory.getLogger("dev.replog.capture.LeaderPublication");
    private final ListAppender<ILoggingEvent> captureLog = new ListAppender<>();
    private final Logger captureLogger = (Logger) LoggerFactory.getLogger("dev.replog.capture.CaptureService");

    @BeforeEach
    void listenToCapturesLog() {
        publicationLog.start();
        publicationLogger.addAppender(publicationLog);
        captureLog.start();
        captureLogger.addAppender(captureLog);
    }

    @AfterEach
    void stopListening() {
        publicationLogger.detachAppender(publicationLog);
        captureLogger.detachAppender(captureLog);
    }

    @Test
    void everyBuiltInTypeOfTheCatalogHasEdgeValuesInThisTest() {
        Map<String, Boolean> types = TypeZoo.catalogTypes(TestServers.get().leader().jdbcUrl("postgres"));
        assertEquals(Set.of(), TypeZoo.untested(types),
                "built-in types without edge values in TypeZoo.EDGES (a new PostgreSQL version's types?)");
    }

    @Test
    void everyBuiltInTypeArrivesWithTheSameTextFromSnapshotAndStreamInBothApplyModesAlsoThroughAPattern() throws Exception {
        List<TableId> tables = List.of(TableId.parse(ZOO), TableId.parse(PATTERN_ZOO), TableId.parse(LATE_ZOO),
                TableId.parse(SNAPSHOT_ONLY));
        try (Replication r = new Replication("zoo", 1, List.of(TableId.parse(ZOO), new TableId("zoo_pattern", "*")))) {
            TypeZoo zoo = TypeZoo.of(TypeZoo.catalogTypes(r.leaderUrl()));
            int n = zoo.rows();
            r.leader("CREATE SCHEMA zoo_pattern", zoo.createTable(ZOO), zoo.createTable(PATTERN_ZOO),
                    "CREATE TABLE zoo_pattern.refused_at_start (id int PRIMARY KEY, plan pg_node_tree)",
                    "CREATE TABLE zoo_pattern.turns_refused (id int PRIMARY KEY)", "INSERT INTO zoo_pattern.turns_refused VALUES (1)",
                    "CREATE TABLE " + SNAPSHOT_ONLY + " (id int PRIMARY KEY, iv interval, ivs interval[])",
                    "INSERT INTO " + SNAPSHOT_ONLY + " SELECT row_number() OVER (), v::interval, ARRAY[v::interval, NULL] FROM unnest(ARRAY["
                            + TypeZoo.INTERVALS_DEBEZIUM_CANNOT_STREAM.stream().map(v -> "'" + v + "'").collect(Collectors.joining(", "))
                            + "]) v");
            r.leader(zoo.insertRows(ZOO, 1).toArray(String[]::new));
            r.leader(zoo.insertRows(PATTERN_ZOO, 1).toArray(String[]::new));
            r.startApplier();
            String transactional = r.anotherFollower("zoo_tx");
            try (ApplierService tx = ApplierService.start(r.applierSettings(transactional, r.group() + "_tx")
                    .withMode(ApplyMode.TRANSACTIONAL), ServiceMetrics.none())) {
                r.startCapture();
                r.leader(zoo.createTable(LATE_ZOO), "CREATE TABLE zoo_pattern.refused_later (id int PRIMARY KEY, cursors refcursor[])",
                        "ALTER TABLE zoo_pattern.turns_refused ADD COLUMN plan pg_node_tree");
                for (String table : List.of(ZOO, PATTERN_ZOO, LATE_ZOO)) {
                    r.leader(zoo.insertRows(table, 1001).toArray(String[]::new));
                }
                r.leader(zoo.insertRows(LATE_ZOO, 1).toArray(String[]::new));
                for (String table : List.of(ZOO, PATTERN_ZOO, LATE_ZOO)) {
                    for (int i = 0; i < n; i++) {
                        // Each streamed row takes the next row's values; row 1 of the snapshot takes row 2's.
                        r.leader(zoo.copyRow(table, 1001 + (i + 1) % n, 1001 + i));
                    }
                    r.leader(zoo.copyRow(table, 2, 1));
                }
                try {
                    r.awaitFollowerMatchesLeader(tables);
                    r.awaitMatchesLeader(transactional, tables);
                    assertRefusedTablesAreLeftOutWithOneErrorEach(r);
                    // No value stopped Debezium on its way (capture would restart, and might read it another way).
                    assertEquals(List.of(), captureLog.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                            .map(ILoggingEvent::getFormattedMessage).toList());
                } finally {
                    // Also when the followers never matched: then this names the first column that differs.
                    for (String follower : List.of(r.followerUrl(), transactional)) {
                        for (String table : List.of(ZOO, PATTERN_ZOO, LATE_ZOO)) {
                            assertEquals(declaredTypes(r.leaderUrl(), table), declaredTypes(follower, table), table + " on " + follower);
                            assertSameText(r.leaderUrl(), follower, table, zoo);
                        }
                        assertEquals(TableContents.of(r.leaderUrl(), SNAPSHOT_ONLY, "id"), TableContents.of(follower, SNAPSHOT_ONLY, "id"));
                    }
                }
            }
        }
    }

    /**
     * A table a pattern matches with a column of a type Replog cannot carry, whether there at start,
     * created later or given such a column while published, is kept out of the publication (so none
     * of its rows reaches the log) with one ERROR line naming table, column and type.
     */
    private void assertRefusedTablesAreLeftOutWithOneErrorEach(Replication r) {
        Map<String, String> refused = Map.of("zoo_pattern.refused_at_start", "column 'plan' has type pg_node_tree",
                "zoo_pattern.refused_later", "column 'cursors' has type refcursor[]",
                "zoo_pattern.turns_refused", "column 'plan' has type pg_node_tree");
        Await.until("an ERROR line for each refused table", Replication.CATCH_UP, () -> refused.entrySet().stream()
                .allMatch(e -> errorsAbout(e.getKey()).stream().anyMatch(line -> line.contains(e.getValue()))));
        for (String table : refused.keySet()) {
            assertEquals(1, errorsAbout(table).size(), errorsAbout(table).toString());
            assertEquals(List.of(), Sql.queryRows(r.leaderUrl(), "SELECT tablename FROM pg_publication_tables WHERE pubname = '"
                    + r.leaderDatabase() + "' AND schemaname || '.' || tablename = '" + table + "'"), table + " is published");
        }
    }

    private List<String> errorsAbout(String table) {
        String quoted = SqlIdentifiers.quote(TableId.parse(table));
        return publicationLog.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("table " + quoted + " ")).toList();
    }

    /** Column by column, so that a difference names its column. */
    private static void assertSameText(String leaderUrl, String followerUrl, String table, TypeZoo zoo) {
        List<List<String>> leader = TableContents.of(leaderUrl, table, "id");
        List<List<String>> follower = TableContents.of(followerUrl, table, "id");
        assertEquals(leader.size(), follower.size(), table + " rows");
        for (int c = 0; c <= zoo.columns().size(); c++) {
            int column = c;
            String name = c == 0 ? "id" : zoo.columns().get(c - 1).name() + " " + zoo.columns().get(c - 1).declared();
            assertEquals(leader.stream().map(row -> row.get(column)).toList(), follower.stream().map(row -> row.get(column)).toList(),
                    table + " column " + name + " on " + followerUrl);
        }
    }

    private static List<List<String>> declaredTypes(String url, String table) {
        return Sql.queryRows(url, "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '"
                + table + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
    }
}
