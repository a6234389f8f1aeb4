package dev.replog.cli.e2e;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.replog.applier.ErrorPolicy;
import dev.replog.capture.ValueEncoding;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.LogFormat;
import dev.replog.schemas.TableId;
import dev.replog.schemas.compact.CompactWire;
import dev.replog.schemas.compact.ReplogCompactConverter;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TestDatabase;
import dev.replog.testkit.TestServers;
import dev.replog.topology.SchemaTopicLookup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stock Kafka Connect sink (Debezium's JDBC sink connector, in a real Connect worker) reading
 * Replog's topics: with {@code capture.value.encoding=debezium} it makes {@code date},
 * {@code timestamp} and array columns, holding the leader's values, and a Replog follower of the same
 * log shows exactly the losses docs/encoding.md lists, each announced by capture once per column;
 * with the default {@code exact} it makes {@code text} columns of them; and the same sink reads a log in
 * the compact format through {@link ReplogCompactConverter}.
 */
class DebeziumEncodingSinkTest {

    private static final TableId READINGS = new TableId("public", "readings");
    private static final TableId EDGES = new TableId("public", "edges");
    private static final String READINGS_TEXT = "SELECT id, day::text, taken::text, counts::text, tags::text, note "
            + "FROM %sreadings ORDER BY id";
    private static final String SINK_COLUMNS = "SELECT column_name, data_type, udt_name FROM information_schema.columns "
            + "WHERE table_name = 'readings' AND column_name NOT IN ('id', 'note') ORDER BY ordinal_position";
    /** What the sink makes of them in the exact encoding: PostgreSQL's text, as the log carries it. */
    private static final List<List<String>> TEXT_COLUMNS = List.of(
            List.of("day", "text", "text"),
            List.of("taken", "text", "text"),
            List.of("counts", "text", "text"),
            List.of("tags", "text", "text"));

    /** Values of the encoding's documented losses: the first four read by the snapshot, the others streamed. */
    private static final String EDGE_ROWS = """
            INSERT INTO edges (id, d, ts, ttz, a_i, a_n, a_tm, a_d, a_ts, a_tstz) VALUES
            (%1$d, '0044-03-15 BC', NULL, NULL, NULL, NULL, NULL,
             '{0044-03-15 BC}', '{"0044-03-15 12:00:00 BC"}', '{"0044-03-15 12:00:00+00 BC"}'),
            (%2$d, NULL, 'infinity', '13:14:15+05:30', '{{1,2},{3,4}}', '{NaN}', '{24:00:00}', NULL, '{infinity}', NULL),
            (%3$d, '10000-01-01', '-infinity', '24:00:00+00', '[0:1]={7,8}', '{1.5,NULL}', NULL, NULL, NULL, NULL),
            (%4$d, 'infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
            (%5$d, NULL, '294247-01-10 04:00:54.775808', NULL, NULL, NULL, NULL, NULL, NULL, NULL)""";

    private static ConnectWorker connect;

    @BeforeAll
    static void startConnect() {
        connect = new ConnectWorker(TestServers.get().kafka().bootstrapServers());
    }

    @AfterAll
    static void stopConnect() throws Exception {
        connect.close();
    }

    @Test
    void aStockJdbcSinkMakesTypedColumnsAndHoldsTheLeadersValuesWhileAReplogFollowerHasTheDocumentedLimits() throws Exception {
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        Logger lossesLog = (Logger) LoggerFactory.getLogger("dev.replog.capture.DebeziumEncodingLosses");
        warnings.start();
        lossesLog.addAppender(warnings);
        try (Replication r = new Replication("dbz_encoding", 2, List.of(READINGS, EDGES))) {
            r.valueEncoding(ValueEncoding.DEBEZIUM);
            // The edges' infinite dates cannot be applied: recorded, and the other rows go on.
            r.onError(ErrorPolicy.SKIP);
            r.leader("CREATE TABLE edges (id int PRIMARY KEY, d date, ts timestamp, ttz timetz, a_i int[], a_n numeric[], "
                            + "a_tm time[], a_d date[], a_ts timestamp[], a_tstz timestamptz[])",
                    EDGE_ROWS.formatted(1, 2, 3, 4, 5));
            String sinkUrl = replicateReadingsIntoASink(r, "dbz_sink", Map.of(), EDGE_ROWS.formatted(11, 12, 13, 14, 15));

            assertEquals(List.of(
                            List.of("day", "date", "date"),
                            List.of("taken", "timestamp without time zone", "timestamp"),
                            List.of("counts", "ARRAY", "_int4"),
                            List.of("tags", "ARRAY", "_text")),
                    Sql.queryRows(sinkUrl, SINK_COLUMNS));

            r.awaitFollowerMatchesLeader(List.of(READINGS));
            String edges = "SELECT id, d::text, ts::text, ttz::text, a_i::text, a_n::text, a_tm::text, a_d::text, a_ts::text, "
                    + "a_tstz::text FROM public.edges ORDER BY id";
            Await.until("the follower has the edges it can read", Replication.CATCH_UP,
                    () -> Sql.queryRows(r.followerUrl(), edges).size() == 6);
            assertEquals(List.of(
                            // The snapshot's BC date arrives AD, the streamed one keeps its era; BC in arrays: AD, or days off.
                            row("1", "0044-03-15", null, null, null, null, null,
                                    "{0044-03-15}", "{\"0044-03-13 12:00:00 BC\"}", "{\"0044-03-15 12:00:00+00\"}"),
                            // Timestamp infinities are Debezium's documented stand-ins, which the applier reads back.
                            row("2", null, "infinity", "13:14:15+05:30", "{NULL,NULL}", null, "{00:00:00}", null, "{infinity}", null),
                            row("3", "10000-01-01", "-infinity", "24:00:00+00", "{7,8}", "{1.5,NULL}", null, null, null, null),
                            row("11", "0044-03-15 BC", null, null, null, null, null,
                                    "{0044-03-15}", "{\"0044-03-13 12:00:00 BC\"}", "{\"0044-03-15 12:00:00+00\"}"),
                            // Streamed timetz in UTC; sub-arrays as nulls; a numeric array with NaN as null; 24:00 in time[] as 00:00.
                            row("12", null, "infinity", "07:44:15+00", "{NULL,NULL}", null, "{00:00:00}", null, "{infinity}", null),
                            // Lower bounds lost; a streamed 24:00:00 timetz as 00:00:00.
                            row("13", "10000-01-01", "-infinity", "00:00:00+00", "{7,8}", "{1.5,NULL}", null, null, null, null)),
                    Sql.queryRows(r.followerUrl(), edges));
            // An infinite date is a day number out of PostgreSQL's range, a timestamp past Debezium's microseconds an
            // overflow far before it: poison events, never wrong values.
            Await.until("the infinite dates and the overflowing timestamps are dead letters", Replication.CATCH_UP, () -> Sql.queryRows(
                    r.followerUrl(), "SELECT substring(error from '(date|timestamp) out of range'), count(*) FROM replog.dead_letters "
                            + "GROUP BY 1 ORDER BY 1").equals(List.of(List.of("date", "2"), List.of("timestamp", "2"))));
        } finally {
            lossesLog.detachAppender(warnings);
        }
        List<String> announced = warnings.list.stream().map(ILoggingEvent::getFormattedMessage)
                .map(m -> m.substring(m.indexOf("column '"), m.indexOf(" travels"))).sorted().toList();
        assertEquals(List.of("column 'a_d' of table public.edges (_date)", "column 'a_i' of table public.edges (_int4)",
                "column 'a_n' of table public.edges (_numeric)", "column 'a_tm' of table public.edges (_time)",
                "column 'a_ts' of table public.edges (_timestamp)", "column 'a_tstz' of table public.edges (_timestamptz)", "column 'counts' of table public.readings (_int4)",
                "column 'd' of table public.edges (date)", "column 'day' of table public.readings (date)",
                "column 'tags' of table public.readings (_text)", "column 'taken' of table public.readings (timestamp)",
                "column 'ts' of table public.edges (timestamp)", "column 'ttz' of table public.edges (timetz)"), announced);
    }

    @Test
    void inTheDefaultExactEncodingTheSameSinkMakesTextColumnsOfPostgresText() throws Exception {
        try (Replication r = new Replication("exact_encoding", 1, List.of(READINGS))) {
            String sinkUrl = replicateReadingsIntoASink(r, "exact_sink", Map.of());
            assertEquals(TEXT_COLUMNS, Sql.queryRows(sinkUrl, SINK_COLUMNS));
        }
    }

    /**
     * Configured as schemas/README.md ("Reading it") says, with the schemas topic as its lookup, the
     * same stock sink reads a compact log's snapshot, inserts, update and delete into the leader's rows
     * and makes the same columns as from the JSON format.
     */
    @Test
    void aStockJdbcSinkReadsACompactLogThroughReplogsConverter() throws Exception {
        try (Replication r = new Replication("compact_sink", 2, List.of(READINGS))) {
            r.logFormat(LogFormat.COMPACT);
            Map<String, String> converters = new HashMap<>();
            for (String side : List.of("key", "value")) {
                converters.put(side + ".converter", ReplogCompactConverter.class.getName());
                converters.put(side + ".converter." + ReplogCompactConverter.LOOKUP_CLASS, SchemaTopicLookup.class.getName());
                converters.put(side + ".converter." + SchemaTopicLookup.TOPIC_CONFIG, r.topics().schemas());
                converters.put(side + ".converter.bootstrap.servers", TestServers.get().kafka().bootstrapServers());
            }
            String sinkUrl = replicateReadingsIntoASink(r, "compact_sink", converters);
            assertEquals(TEXT_COLUMNS, Sql.queryRows(sinkUrl, SINK_COLUMNS));
            var values = r.allRecords(r.topics().forTable(READINGS), "read_committed").stream()
                    .filter(record -> record.value() != null).toList();
            assertFalse(values.isEmpty());
            assertTrue(values.stream().allMatch(record -> CompactWire.isCompact(record.value())), "the sink read a compact log");
        }
    }

    /**
     * Creates and fills {@code readings} on the leader (snapshot rows, then streamed inserts, an update
     * and a delete), runs capture and the applier, and Debezium's JDBC sink into a fresh database on the
     * follower server; returns once the sink's table equals the leader's as text.
     *
     * @param converters   the sink's converter settings (none: the worker's JsonConverter)
     * @param moreStreamed statements run on the leader together with the streamed changes
     * @return the sink database's JDBC URL
     */
    private static String replicateReadingsIntoASink(Replication r, String sinkName, Map<String, String> converters,
                                                     String... moreStreamed) throws Exception {
        r.leader("CREATE TABLE readings (id int PRIMARY KEY, day date, taken timestamp, counts int[], tags text[], note text)",
                "INSERT INTO readings VALUES (1, '2024-02-29', '2024-02-29 13:14:15.123456', '{1,NULL,3}', "
                        + "'{\"a,b\",NULL,\"\"}', 'snapshot'), "
                        + "(2, '0001-01-01', '1999-12-31 23:59:59.999999', '{}', '{}', NULL), "
                        + "(3, NULL, NULL, NULL, NULL, 'nulls')");
        r.startCapture();
        r.startApplier();
        r.leader("INSERT INTO readings VALUES (11, '2999-12-31', '2024-06-01 00:00:00.000001', "
                        + "'{-2147483648,2147483647}', '{\"x\\\"y\",\"NULL\"}', 'streamed'), "
                        + "(12, '1970-01-01', '1970-01-01 00:00:00', '{7}', '{z}', 'to be deleted')",
                "UPDATE readings SET day = '2000-02-29', counts = '{4,5,6}', note = 'updated' WHERE id = 2",
                "DELETE FROM readings WHERE id = 12");
        if (moreStreamed.length > 0) {
            r.leader(moreStreamed);
        }

        PostgresServer sink = TestServers.get().follower();
        String sinkDb = TestDatabase.fresh(sink, sinkName);
        Map<String, String> config = new HashMap<>(converters);
        config.putAll(Map.ofEntries(
                Map.entry("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"),
                Map.entry("tasks.max", "1"),
                Map.entry("topics", r.topics().forTable(READINGS)),
                Map.entry("connection.url", "jdbc:postgresql://" + sink.host() + ":" + sink.port() + "/" + sinkDb),
                Map.entry("connection.username", sink.user()),
                Map.entry("connection.password", sink.password()),
                Map.entry("insert.mode", "upsert"),
                Map.entry("primary.key.mode", "record_key"),
                Map.entry("delete.enabled", "true"),
                Map.entry("schema.evolution", "basic"),
                Map.entry("collection.name.format", "${source.table}")));
        connect.start(sinkName, config);
        String sinkUrl = sink.jdbcUrl(sinkDb);
        Await.until("the sink's readings equal the leader's", Replication.CATCH_UP, () -> failed(sinkName)
                || hasReadings(sinkUrl) && Sql.queryRows(r.leaderUrl(), READINGS_TEXT.formatted(""))
                .equals(Sql.queryRows(sinkUrl, READINGS_TEXT.formatted("public."))));
        assertFalse(failed(sinkName), connect.taskState(sinkName));
        return sinkUrl;
    }

    private static boolean failed(String connector) {
        return connect.taskState(connector).startsWith("FAILED");
    }

    private static boolean hasReadings(String url) {
        return Sql.queryForLong(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'readings'") == 1;
    }

    private static List<String> row(String... values) {
        return Arrays.asList(values);
    }
}
