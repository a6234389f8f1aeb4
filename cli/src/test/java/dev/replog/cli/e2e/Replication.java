package dev.replog.cli.e2e;

import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyMode;
import dev.replog.applier.ErrorPolicy;
import dev.replog.applier.FollowerConnection;
import dev.replog.applier.verify.TableComparison;
import dev.replog.capture.CaptureService;
import dev.replog.capture.CaptureSettings;
import dev.replog.capture.SnapshotMethod;
import dev.replog.capture.LeaderConnection;
import dev.replog.capture.TimetzOffsets;
import dev.replog.capture.ValueEncoding;
import dev.replog.embedded.PostgresServer;
import dev.replog.metrics.ServiceMetrics;
import dev.replog.schemas.LogFormat;
import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TestDatabase;
import dev.replog.testkit.TestServers;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;
import dev.replog.topology.TopicSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One replication set-up for one test, on the JVM's shared servers: a fresh leader database, a
 * fresh follower database, its own topic prefix, slot and consumer group. Capture and applier can
 * be started, stopped and restarted independently.
 */
final class Replication implements AutoCloseable {

    static final Duration CATCH_UP = Duration.ofSeconds(90);

    private final TestServers servers = TestServers.get();
    private final String leaderDb;
    private final String followerDb;
    private final String name;
    private final List<TableId> tables;
    /** The captured tables as a running capture reads them (its config file's, for the command line). */
    private volatile List<TableId> capturedTables;
    private final int partitions;
    private CaptureService capture;
    private ApplierService applier;
    private ErrorPolicy onError = ErrorPolicy.STOP;
    private ApplyMode mode = ApplyMode.ROW;
    private TimetzOffsets timetzOffsets = TimetzOffsets.EXACT;
    private ValueEncoding valueEncoding = ValueEncoding.EXACT;
    /** {@code -Dreplog.test.log.format=compact} runs every pipeline test in the compact format. */
    private LogFormat logFormat = LogFormat.parse(System.getProperty("replog.test.log.format", "json"));
    private SnapshotMethod snapshotMethod = SnapshotMethod.DEBEZIUM;
    private boolean createExtensions;
    /** Short, so that tests see tables created on the leader published soon. */
    private Duration publicationRefresh = Duration.ofMillis(300);
    private Duration heartbeat = Duration.ofSeconds(1);
    private Duration watermarkInterval = CaptureSettings.DEFAULT_WATERMARK_INTERVAL;
    private Duration kafkaClientTimeout;
    private long retentionMs = -1;
    private long refreshMs;
    private String captureUser;
    private String applyUser;

    Replication(String testName, int partitions, List<TableId> tables) {
        this.leaderDb = TestDatabase.fresh(servers.leader(), testName);
        this.followerDb = TestDatabase.fresh(servers.follower(), testName);
        this.name = leaderDb;
        this.tables = tables;
        this.capturedTables = tables;
        this.partitions = partitions;
    }

    /** Runs SQL on the leader database. */
    void leader(String... sql) {
        Sql.execute(servers.leader().jdbcUrl(leaderDb), sql);
    }

    /** The leader database's name (on the JVM's shared leader server). */
    String leaderDatabase() {
        return leaderDb;
    }

    /** The follower database's name (on the JVM's shared follower server). */
    String followerDatabase() {
        return followerDb;
    }

    String leaderUrl() {
        return servers.leader().jdbcUrl(leaderDb);
    }

    String followerUrl() {
        return servers.follower().jdbcUrl(followerDb);
    }

    String leaderDb() {
        return leaderDb;
    }

    String followerDb() {
        return followerDb;
    }

    /** Runs SQL on the leader database as another role (the embedded servers trust local connections). */
    void leaderAs(String role, String... sql) {
        Sql.execute(leaderUrl().replace("?user=" + servers.leader().user(), "?user=" + role), sql);
    }

    /** Capture connects to the leader as this role from its next start on (default: the superuser). */
    void captureAs(String role) {
        this.captureUser = role;
    }

    /** The applier connects to the follower as this role from its next start on (default: the superuser). */
    void applyAs(String role) {
        this.applyUser = role;
    }

    /** Capture's {@code capture.publication.refresh.ms} from its next start on. */
    void publicationRefresh(Duration interval) {
        this.publicationRefresh = interval;
    }

    /** Capture's {@code capture.heartbeat.interval.ms} from its next start on. */
    void captureHeartbeat(Duration interval) {
        this.heartbeat = interval;
    }

    /** Capture's {@code topics.retention.ms} and {@code capture.refresh.interval.ms} from its next start on. */
    void windowedLog(long retention, Duration refresh) {
        this.retentionMs = retention;
        this.refreshMs = refresh.toMillis();
    }

    /** Capture's {@code capture.watermark.interval.ms} from its next start on. */
    void watermarkInterval(Duration interval) {
        this.watermarkInterval = interval;
    }

    CaptureSettings captureSettings() {
        PostgresServer l = servers.leader();
        return new CaptureSettings(new LeaderConnection(l.host(), l.port(), leaderDb,
                captureUser == null ? l.user() : captureUser, l.password(), "disable"),
                name, name, capturedTables, "initial", heartbeat, topics(),
                new TopicSettings(partitions, (short) 1, retentionMs, true, refreshMs), kafka(), timetzOffsets, publicationRefresh,
                watermarkInterval, valueEncoding, logFormat, snapshotMethod);
    }

    /** Capture's {@code capture.snapshot.method} from its next start on. */
    void snapshotMethod(SnapshotMethod method) {
        this.snapshotMethod = method;
    }

    /** Changes {@code capture.tables} of the running capture (which reads it at its next publication check) and of later starts. */
    void changeCapturedTables(List<TableId> entries) {
        this.capturedTables = entries;
    }

    /** Capture's {@code capture.timetz.offsets} from its next start on. */
    void timetzOffsets(TimetzOffsets offsets) {
        this.timetzOffsets = offsets;
    }

    /** Capture's {@code log.format} from its next start on (a log keeps its first one: capture refuses another). */
    void logFormat(LogFormat format) {
        this.logFormat = format;
    }

    LogFormat logFormat() {
        return logFormat;
    }

    /** Capture's {@code capture.value.encoding} from its next start on. */
    void valueEncoding(ValueEncoding encoding) {
        this.valueEncoding = encoding;
    }

    ApplierSettings applierSettings() {
        return applierSettings(followerUrl(), name);
    }

    /** Settings of an applier of another follower database, or through another route, or of another group. */
    ApplierSettings applierSettings(String followerJdbcUrl, String groupId) {
        // The URL's user would win over the pool's.
        String url = applyUser == null ? followerJdbcUrl : followerJdbcUrl.replace("?user=" + servers.follower().user(), "");
        return new ApplierSettings(new FollowerConnection(url, applyUser == null ? servers.follower().user() : applyUser,
                servers.follower().password(), "disable", 2), groupId, 500, Duration.ofMillis(100), topics(), kafka())
                .withOnError(onError).withMode(mode).withCreateExtensions(createExtensions);
    }

    /** The applier group of this set-up's follower. */
    String group() {
        return name;
    }

    /** Creates another, empty database on the follower server, and returns its URL. */
    String anotherFollower(String testName) {
        return servers.follower().jdbcUrl(TestDatabase.fresh(servers.follower(), testName));
    }

    /** The applier's {@code apply.mode} from its next start on. */
    void mode(ApplyMode applyMode) {
        this.mode = applyMode;
    }

    /** The applier's {@code apply.create.extensions} from its next start on. */
    void createExtensions(boolean create) {
        this.createExtensions = create;
    }

    /** The applier's {@code apply.on.error} policy from its next start on. */
    void onError(ErrorPolicy policy) {
        this.onError = policy;
    }

    /** Runs SQL on the follower database. */
    void follower(String... sql) {
        Sql.execute(followerUrl(), sql);
    }

    TopicNames topics() {
        return new TopicNames(name);
    }

    KafkaSettings kafka() {
        return kafkaClientTimeout == null ? KafkaSettings.plaintext(servers.kafka().bootstrapServers())
                : new KafkaSettings(servers.kafka().bootstrapServers(), Map.of(
                        "default.api.timeout.ms", Long.toString(kafkaClientTimeout.toMillis()),
                        "request.timeout.ms", Long.toString(kafkaClientTimeout.toMillis()),
                        // A send Kafka keeps refusing as retriable (a deleted topic) fails after this, not 120 s.
                        "delivery.timeout.ms", Long.toString(kafkaClientTimeout.toMillis() + 2000)));
    }

    /** {@code kafka.client.timeout.ms} of every client started from now on, and a producer's delivery timeout (default: Kafka's). */
    void kafkaClientTimeout(Duration timeout) {
        this.kafkaClientTimeout = timeout;
    }

    void startCapture() throws InterruptedException {
        startCapture(true);
    }

    /** @param awaitStreaming false returns at once (a capture that is to fail in its snapshot never streams) */
    void startCapture(boolean awaitStreaming) throws InterruptedException {
        startCapture(awaitStreaming, ServiceMetrics.none());
    }

    /** Starts capture measured into these metrics, and waits until it streams. */
    void startCapture(ServiceMetrics metrics) throws InterruptedException {
        startCapture(true, metrics);
    }

    private void startCapture(boolean awaitStreaming, ServiceMetrics metrics) throws InterruptedException {
        capture = CaptureService.start(captureSettings(), () -> capturedTables, metrics);
        if (awaitStreaming && !capture.awaitStreaming(CATCH_UP)) {
            throw new AssertionError("capture did not start streaming within " + CATCH_UP);
        }
    }

    /** Whether a table-topic record is one of capture's watermarks rather than a change. */
    static boolean isWatermark(ConsumerRecord<byte[], byte[]> r) {
        return r.headers().lastHeader(LogHeaders.WATERMARK) != null;
    }

    /** How many records of a topic, capture's watermarks left out, a reader with this isolation level can read now. */
    long records(String topic, String isolation) {
        return allRecords(topic, isolation).stream().filter(r -> !isWatermark(r)).count();
    }

    /** Every record of a topic a reader with this isolation level can read now. */
    List<ConsumerRecord<byte[], byte[]>> allRecords(String topic, String isolation) {
        Properties config = kafka().clientConfig();
        config.put("isolation.level", isolation);
        List<ConsumerRecord<byte[], byte[]>> all = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = c.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> c.position(p) < ends.get(p))) {
                c.poll(Duration.ofMillis(200)).forEach(all::add);
            }
            return all;
        }
    }

    /** Produces a record straight into a topic, as a broken or foreign producer would; returns its offset. */
    long produce(String topic, String key, String value) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(kafka().clientConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
            return p.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)))
                    .get().offset();
        }
    }

    void stopCapture() {
        capture.close();
        capture = null;
    }

    void startApplier() {
        startApplier(ServiceMetrics.none());
    }

    /** Starts the applier measured into these metrics. */
    void startApplier(ServiceMetrics metrics) {
        applier = ApplierService.start(applierSettings(), metrics);
    }

    /** Takes over an applier started elsewhere (e.g. by a rebuild that now follows the log), to stop it on close. */
    void applierStarted(ApplierService started) {
        this.applier = started;
    }

    void stopApplier() {
        applier.close();
        applier = null;
    }

    CaptureService capture() {
        return capture;
    }

    ApplierService applier() {
        return applier;
    }

    /** Waits until every table has the same rows on the follower as on the leader. */
    void awaitFollowerMatchesLeader() {
        awaitFollowerMatchesLeader(tables);
    }

    /** Waits until these tables (for a capture pattern: the tables it matches) have the same rows. */
    void awaitFollowerMatchesLeader(List<TableId> tables) {
        Await.until("follower " + followerDb + " equals leader " + leaderDb + " for " + tables, CATCH_UP, () -> {
            if (applier != null && applier.stopped().isCompletedExceptionally()) {
                applier.stopped().join();
            }
            return tables.stream().allMatch(this::matches);
        });
    }

    /** Waits until every table has the same rows on this other follower (by JDBC URL) as on the leader. */
    void awaitMatchesLeader(String followerJdbcUrl) {
        awaitMatchesLeader(followerJdbcUrl, tables);
    }

    /** Waits until these tables (for a capture pattern: the tables it matches) have the same rows on this other follower. */
    void awaitMatchesLeader(String followerJdbcUrl, List<TableId> tables) {
        Await.until(followerJdbcUrl + " equals leader " + leaderDb + " for " + tables, CATCH_UP,
                () -> tables.stream().allMatch(t -> matches(t, followerJdbcUrl)));
    }

    private boolean matches(TableId t, String followerJdbcUrl) {
        try (Connection l = servers.leader().connect(leaderDb); Connection f = DriverManager.getConnection(followerJdbcUrl)) {
            return TableComparison.compare(l, f, t).matches();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean matches(TableId t) {
        try (Connection l = servers.leader().connect(leaderDb); Connection f = servers.follower().connect(followerDb)) {
            return TableComparison.compare(l, f, t).matches();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (applier != null) {
            stopApplier();
        }
        if (capture != null) {
            stopCapture();
        }
        // A slot left behind would hold the shared leader's WAL and use up max_replication_slots.
        Sql.execute(leaderUrl(), "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + name + "'");
    }
}
