package dev.replog.cli.e2e;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.replog.applier.verify.TableComparison;
import dev.replog.cli.Main;
import dev.replog.embedded.ChildJvm;
import dev.replog.embedded.KafkaBroker;
import dev.replog.embedded.KafkaSecurity;
import dev.replog.embedded.PostgresServer;
import dev.replog.embedded.PostgresServerTls;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TestCertificates;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capture and apply over TLS to both PostgreSQL servers ({@code verify-full}, client certificates;
 * the leader also wants a SCRAM password) and to Kafka (SASL_SSL with SCRAM and a client
 * certificate), with certificates made here, on servers of this class's own that refuse anything
 * else. Every secret comes from a file reference or the configuration, and none of them ever shows
 * in what the commands print.
 */
class TlsReplicationTest {

    /** Protects every key and keystore; also the leader's client key password (leader.sslpassword). */
    private static final String STORE_PASSWORD = "Store-pw-7c1e-never-printed";
    private static final String LEADER_PASSWORD = "Leader-pw-51ab-never-printed";
    private static final String FOLLOWER_PASSWORD = "Follower-pw-93d0-never-printed";
    private static final String KAFKA_PASSWORD = "Kafka-pw-e4f2-never-printed";
    private static final String WRONG_PASSWORD = "Wrong-pw-0b7a-never-printed";
    private static final List<String> SECRETS = List.of(STORE_PASSWORD, LEADER_PASSWORD, FOLLOWER_PASSWORD, KAFKA_PASSWORD,
            WRONG_PASSWORD);
    private static final String DB = "shop";
    private static final TableId ACCOUNTS = new TableId("public", "accounts");

    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static PostgresServer leader;
    private static PostgresServer follower;
    private static KafkaBroker kafka;
    private static TestCertificates.Issued captureClient;
    private static TestCertificates.Issued applyClient;
    private static TestCertificates.Issued kafkaClient;

    @BeforeAll
    static void startSecuredServers() throws Exception {
        certs = TestCertificates.create(dir.resolve("tls"), STORE_PASSWORD);
        TestCertificates.Issued server = certs.server("server");
        TestCertificates.Issued superuser = certs.client("postgres");
        captureClient = certs.client("replog_capture");
        applyClient = certs.client("replog_apply");
        kafkaClient = certs.client("replog");
        CompletableFuture<KafkaBroker> broker = CompletableFuture.supplyAsync(() -> KafkaBroker.start(dir,
                new KafkaSecurity(server.keystore(), certs.trustStore(), STORE_PASSWORD, Map.of("replog", KAFKA_PASSWORD))));
        leader = PostgresServer.start("leader", dir, new PostgresServerTls(certs.caCert(), server.cert(), server.key(),
                superuser.cert(), superuser.key(), "scram-sha-256 clientcert=verify-full"));
        follower = PostgresServer.start("follower", dir, new PostgresServerTls(certs.caCert(), server.cert(), server.key(),
                superuser.cert(), superuser.key(), "cert"));
        kafka = broker.get(120, TimeUnit.SECONDS);
        leader.createDatabase(DB);
        follower.createDatabase(DB);
        Sql.execute(leader.jdbcUrl(DB), "CREATE ROLE replog_capture LOGIN SUPERUSER REPLICATION PASSWORD '" + LEADER_PASSWORD + "'");
        Sql.execute(follower.jdbcUrl(DB), "CREATE ROLE replog_apply LOGIN SUPERUSER PASSWORD '" + FOLLOWER_PASSWORD + "'");
        Files.writeString(dir.resolve("store-password"), STORE_PASSWORD + "\n");
        Files.writeString(dir.resolve("leader-password"), LEADER_PASSWORD + "\n");
        Files.writeString(dir.resolve("follower-password"), FOLLOWER_PASSWORD);
        Files.writeString(dir.resolve("wrong-password"), WRONG_PASSWORD);
    }

    @AfterAll
    static void stopServers() {
        for (AutoCloseable s : new AutoCloseable[] {kafka, follower, leader}) {
            try {
                if (s != null) {
                    s.close();
                }
            } catch (Exception e) {
                // The next server is still to be stopped.
            }
        }
    }

    @Test
    void followerEqualsLeaderOverTlsToBothDatabasesAndSaslSslToKafkaWithoutPrintingASecret() throws Exception {
        Sql.execute(leader.jdbcUrl(DB),
                "CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) NOT NULL)",
                "INSERT INTO accounts SELECT g, 'owner ' || g, g * 10 FROM generate_series(1, 200) g");
        Path config = write("replog.properties", config("${file:" + dir.resolve("leader-password") + "}", KAFKA_PASSWORD, 120));
        Path logConfig = dir.resolve("logback-verbose.xml");
        Files.writeString(logConfig, VERBOSE_LOGGING);
        List<String> jvm = List.of("-Dlogback.configurationFile=" + logConfig);
        Path captureLog = dir.resolve("capture.log");
        Path applyLog = dir.resolve("apply.log");
        try (ChildJvm capture = ChildJvm.start(Main.class.getName(), jvm, List.of("capture", "--config", config.toString()), "384m", captureLog);
             ChildJvm apply = ChildJvm.start(Main.class.getName(), jvm, List.of("apply", "--config", config.toString()), "384m", applyLog)) {
            awaitFollowerMatchesLeader(capture, apply);
            Sql.execute(leader.jdbcUrl(DB),
                    "UPDATE accounts SET balance = balance + 1 WHERE id % 3 = 0",
                    "DELETE FROM accounts WHERE id % 7 = 0",
                    "INSERT INTO accounts SELECT g, 'late ' || g, g FROM generate_series(201, 260) g",
                    "UPDATE accounts SET id = id + 1000 WHERE id = 5");
            awaitFollowerMatchesLeader(capture, apply);
        }
        String captured = Files.readString(captureLog) + Files.readString(applyLog);
        // The check below means something only if the configuration and the libraries' chatter were printed.
        assertTrue(captured.contains("leader.password = ********"), captured);
        assertTrue(captured.contains("kafka.sasl.jaas.config = ********"), captured);
        assertTrue(captured.contains("follower.sslmode = verify-full"), captured);
        assertTrue(captured.contains("database.user = replog_capture"), "Debezium's configuration dump:\n" + captured);
        assertTrue(captured.contains("replog-applier - configuration:"), "Hikari's configuration dump:\n" + captured);
        assertNoSecret(captured);
    }

    @Test
    void plaintextAndCertificatelessClientsAreRefused() throws Exception {
        Properties plain = new Properties();
        plain.setProperty("user", "replog_capture");
        plain.setProperty("password", LEADER_PASSWORD);
        plain.setProperty("sslmode", "disable");
        assertRefused(() -> DriverManager.getConnection(url(leader), plain), "no encryption");
        Properties noCertificate = new Properties();
        noCertificate.putAll(plain);
        noCertificate.setProperty("sslmode", "verify-full");
        noCertificate.setProperty("sslrootcert", certs.caCert().toString());
        assertRefused(() -> DriverManager.getConnection(url(leader), noCertificate), "certificate");
        Properties followerPlain = new Properties();
        followerPlain.setProperty("user", "replog_apply");
        followerPlain.setProperty("sslmode", "disable");
        assertRefused(() -> DriverManager.getConnection(url(follower), followerPlain), "no encryption");

        Map<String, Object> plaintext = Map.of("bootstrap.servers", kafka.bootstrapServers());
        assertFalse(reachesKafka(plaintext), "a plaintext Kafka client got an answer");
        Map<String, Object> saslWithoutCertificate = Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", jaas(KAFKA_PASSWORD),
                "ssl.truststore.type", "PEM", "ssl.truststore.location", certs.caCert().toString());
        assertFalse(reachesKafka(saslWithoutCertificate), "a Kafka client without a certificate got an answer");
        Map<String, Object> secured = new HashMap<>(saslWithoutCertificate);
        secured.putAll(Map.of("ssl.keystore.type", "PKCS12", "ssl.keystore.location", kafkaClient.keystore().toString(),
                "ssl.keystore.password", STORE_PASSWORD, "ssl.key.password", STORE_PASSWORD));
        assertTrue(reachesKafka(secured), "the secured client is not answered: the refusals above prove nothing");
    }

    @Test
    void aFailingStartNamesWhatFailedButNoSecret() throws IOException {
        Path wrongLeader = write("wrong-leader.properties", config("${file:" + dir.resolve("wrong-password") + "}", KAFKA_PASSWORD, 2));
        Output capture = run("capture", wrongLeader);
        assertEquals(1, capture.exitCode, capture.text);
        assertTrue(capture.text.contains("leader PostgreSQL at jdbc:postgresql://127.0.0.1:" + leader.port() + "/" + DB
                + " unreachable"), capture.text);
        assertTrue(capture.text.contains("password authentication failed"), capture.text);

        Path wrongKafka = write("wrong-kafka.properties", config("${file:" + dir.resolve("leader-password") + "}", WRONG_PASSWORD, 2));
        Output apply = run("apply", wrongKafka);
        assertEquals(1, apply.exitCode, apply.text);
        assertTrue(apply.text.contains("Kafka at " + kafka.bootstrapServers() + " unreachable"), apply.text);

        Path missingSecret = write("missing-secret.properties", config("${file:" + dir.resolve("no-such-file") + "}", KAFKA_PASSWORD, 2));
        Output missing = run("capture", missingSecret);
        assertEquals(2, missing.exitCode, missing.text);
        assertTrue(missing.text.contains("config key 'leader.password' refers to file '" + dir.resolve("no-such-file")
                + "', which cannot be read"), missing.text);
        assertNoSecret(capture.text + apply.text + missing.text);
    }

    private void awaitFollowerMatchesLeader(ChildJvm capture, ChildJvm apply) {
        // A command that ended ends the wait at once (Await would take its failure for "not yet").
        Await.until("follower equals leader over TLS", Replication.CATCH_UP, () -> !capture.isAlive() || !apply.isAlive()
                || matches());
        for (ChildJvm p : List.of(capture, apply)) {
            if (!p.isAlive()) {
                throw new AssertionError("a command ended with " + p.exitCode() + ":\n" + p.tail(60));
            }
        }
    }

    private static boolean matches() throws SQLException {
        try (Connection l = leader.connect(DB); Connection f = follower.connect(DB)) {
            return f.getMetaData().getTables(null, "public", "accounts", null).next()
                    && TableComparison.compare(l, f, ACCOUNTS).matches();
        }
    }

    /** @param startupTimeout startup.timeout.seconds: short for a start that is to fail */
    private static List<String> config(String leaderPassword, String kafkaPassword, int startupTimeout) {
        String storePassword = "${file:" + dir.resolve("store-password") + "}";
        return List.of(
                "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "kafka.security.protocol=SASL_SSL",
                "kafka.sasl.mechanism=SCRAM-SHA-512",
                "kafka.sasl.jaas.config=" + jaas(kafkaPassword),
                "kafka.ssl.truststore.type=PEM",
                "kafka.ssl.truststore.location=" + certs.caCert(),
                "kafka.ssl.keystore.type=PKCS12",
                "kafka.ssl.keystore.location=" + kafkaClient.keystore(),
                "kafka.ssl.keystore.password=" + storePassword,
                "kafka.ssl.key.password=" + storePassword,
                "topics.replication.factor=1",
                "leader.host=127.0.0.1",
                "leader.port=" + leader.port(),
                "leader.database=" + DB,
                "leader.user=replog_capture",
                "leader.password=" + leaderPassword,
                "leader.sslmode=verify-full",
                "leader.sslrootcert=" + certs.caCert(),
                "leader.sslcert=" + captureClient.cert(),
                "leader.sslkey=" + captureClient.encryptedKey(),
                "leader.sslpassword=" + storePassword,
                "capture.tables=public.accounts",
                "capture.heartbeat.interval.ms=1000",
                "follower.jdbc.url=jdbc:postgresql://127.0.0.1:" + follower.port() + "/" + DB,
                "follower.user=replog_apply",
                "follower.password=${file:" + dir.resolve("follower-password") + "}",
                "follower.sslmode=verify-full",
                "follower.sslrootcert=" + certs.caCert(),
                "follower.sslcert=" + applyClient.cert(),
                "follower.sslkey=" + applyClient.key(),
                "startup.timeout.seconds=" + startupTimeout);
    }

    private static String jaas(String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"replog\" password=\"" + password + "\";";
    }

    private static Path write(String name, List<String> lines) throws IOException {
        return Files.write(dir.resolve(name), lines);
    }

    private static String url(PostgresServer server) {
        return "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + DB;
    }

    private static void assertNoSecret(String text) {
        for (String secret : SECRETS) {
            assertFalse(text.contains(secret), "a secret was printed:\n" + text);
        }
    }

    interface Attempt {
        Connection connect() throws SQLException;
    }

    private static void assertRefused(Attempt attempt, String why) {
        SQLException e = assertThrows(SQLException.class, () -> attempt.connect().close());
        assertTrue(String.valueOf(e.getMessage()).contains(why) || String.valueOf(e.getCause()).contains(why), e.toString());
    }

    private static boolean reachesKafka(Map<String, Object> config) throws InterruptedException {
        Map<String, Object> c = new HashMap<>(config);
        c.put("request.timeout.ms", 3000);
        c.put("default.api.timeout.ms", 3000);
        try (Admin admin = Admin.create(c)) {
            admin.describeCluster().clusterId().get(6, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private record Output(int exitCode, String text) {
    }

    /** Runs a command in this JVM, with what it prints to stderr and logs (at any level that reaches a logger) captured. */
    private static Output run(String command, Path config) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        root.addAppender(events);
        PrintStream err = System.err;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(command, "--config", config.toString());
            StringBuilder text = new StringBuilder(stderr.toString(StandardCharsets.UTF_8));
            for (ILoggingEvent e : new ArrayList<>(events.list)) {
                text.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(" - ").append(e.getFormattedMessage()).append('\n');
                if (e.getThrowableProxy() != null) {
                    text.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
                }
            }
            return new Output(code, text.toString());
        } finally {
            System.setErr(err);
            root.detachAppender(events);
        }
    }

    /** The libraries' configuration dumps and connection chatter too, not only Replog's INFO lines. */
    private static final String VERBOSE_LOGGING = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n</pattern></encoder>
              </appender>
              <logger name="dev.replog" level="DEBUG"/>
              <logger name="io.debezium" level="INFO"/>
              <logger name="org.apache.kafka" level="INFO"/>
              <logger name="com.zaxxer.hikari" level="DEBUG"/>
              <root level="INFO"><appender-ref ref="OUT"/></root>
            </configuration>
            """;
}
