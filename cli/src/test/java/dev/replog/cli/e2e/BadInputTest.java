package dev.replog.cli.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.replog.capture.CaptureException;
import dev.replog.capture.CaptureService;
import dev.replog.cli.Main;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.TestServers;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wrong configuration, unreachable servers, unkeyed tables and undecodable events fail clearly. */
class BadInputTest {

    @TempDir
    Path dir;

    private record Outcome(int exitCode, String stderr, List<ILoggingEvent> retries) {
    }

    private Outcome run(String... args) {
        ListAppender<ILoggingEvent> retries = new ListAppender<>();
        Logger reachability = (Logger) LoggerFactory.getLogger("dev.replog.cli.Reachability");
        retries.start();
        reachability.addAppender(retries);
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Outcome(code, err.toString(StandardCharsets.UTF_8), retries.list);
        } finally {
            System.setErr(original);
            reachability.detachAppender(retries);
        }
    }

    private Path config(String... lines) throws IOException {
        Path file = dir.resolve("replog.properties");
        Files.write(file, List.of(lines));
        return file;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void configWithAMissingKeyFailsAtStartNamingTheKey() throws IOException {
        Outcome o = run("capture", "--config", config("kafka.bootstrap.servers=127.0.0.1:9092", "leader.host=127.0.0.1").toString());
        assertEquals(2, o.exitCode());
        assertTrue(o.stderr().contains("missing config key 'leader.database'"), o.stderr());
        assertTrue(o.stderr().contains("missing config key 'capture.tables'"), o.stderr());
    }

    @Test
    void configWithAnInvalidValueFailsAtStartNamingTheKey() throws IOException {
        Outcome o = run("apply", "--config", config("kafka.bootstrap.servers=127.0.0.1:9092",
                "follower.jdbc.url=jdbc:postgresql://127.0.0.1:1/x", "follower.user=u", "apply.batch.size=many").toString());
        assertEquals(2, o.exitCode());
        assertTrue(o.stderr().contains("config key 'apply.batch.size' is 'many'"), o.stderr());
    }

    @Test
    void unreachableLeaderGivesOneLinePerRetryThenOneFinalError() throws IOException {
        int port = closedPort();
        Outcome o = run("capture", "--config", config("kafka.bootstrap.servers=127.0.0.1:9092", "leader.host=127.0.0.1",
                "leader.port=" + port, "leader.database=app", "leader.user=u", "capture.tables=public.t",
                "startup.timeout.seconds=3").toString());
        assertEquals(1, o.exitCode());
        assertTrue(o.stderr().contains("leader PostgreSQL at jdbc:postgresql://127.0.0.1:" + port + "/app unreachable after 3 s"), o.stderr());
        assertEquals(1, o.stderr().lines().count(), "one final error line, no stack trace: " + o.stderr());
        assertTrue(o.retries().size() >= 2, "a line per retry: " + o.retries());
        o.retries().forEach(e -> assertTrue(e.getThrowableProxy() == null && !e.getFormattedMessage().contains("\n"),
                "a retry is one line without a stack trace: " + e.getFormattedMessage()));
    }

    @Test
    void unreachableKafkaGivesOneLinePerRetryThenOneFinalError() throws IOException {
        int port = closedPort();
        Outcome o = run("apply", "--config", config("kafka.bootstrap.servers=127.0.0.1:" + port,
                "follower.jdbc.url=" + TestServers.get().follower().jdbcUrl(), "follower.user=postgres",
                "startup.timeout.seconds=9").toString());
        assertEquals(1, o.exitCode());
        assertTrue(o.stderr().contains("Kafka at 127.0.0.1:" + port + " unreachable after 9 s"), o.stderr());
        assertEquals(1, o.stderr().lines().count(), o.stderr());
        assertTrue(o.retries().size() >= 1, "a line per retry: " + o.retries());
    }

    @Test
    void tableWithoutPrimaryKeyIsRefusedNamingTheTable() {
        TableId unkeyed = new TableId("public", "audit_log");
        try (Replication r = new Replication("no_pk", 1, List.of(unkeyed))) {
            r.leader("CREATE TABLE audit_log (at timestamptz, message text)");
            CaptureException e = assertThrows(CaptureException.class, () -> CaptureService.start(r.captureSettings()));
            assertTrue(e.getMessage().contains("public.audit_log has no primary key"), e.getMessage());
        }
    }

    @Test
    void undecodableEventStopsItsTableWithOneErrorLineNamingTableTopicPartitionOffsetAndReason() throws Exception {
        TableId items = new TableId("public", "items");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        Logger applierLog = (Logger) LoggerFactory.getLogger("dev.replog.applier");
        lines.start();
        applierLog.addAppender(lines);
        try (Replication r = new Replication("poison", 1, List.of(items))) {
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text)");
            r.startCapture();
            r.startApplier();
            r.leader("INSERT INTO items VALUES (1, 'fine')");
            r.awaitFollowerMatchesLeader();
            String topic = r.topics().forTable(items);
            long offset;
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(r.kafka().clientConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
                offset = p.send(new ProducerRecord<>(topic, "{\"id\":2}".getBytes(StandardCharsets.UTF_8),
                        "{not json".getBytes(StandardCharsets.UTF_8))).get().offset();
            }
            Await.until("an ERROR line for the poison event", Duration.ofSeconds(30),
                    () -> lines.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR));
            List<String> errors = lines.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(1, errors.size(), errors.toString());
            String message = errors.get(0);
            assertTrue(message.contains("table public.items (topic " + topic + " partition 0 offset " + offset + ")"), message);
            assertTrue(message.contains("not valid JSON"), message);
            assertTrue(message.contains("replog resume --table public.items"), message);
            assertFalse(r.applier().stopped().isDone(), "only the table stops, not the applier");
            r.awaitFollowerMatchesLeader();
        } finally {
            applierLog.detachAppender(lines);
        }
    }
}
