package dev.replog.cli.e2e;

import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.topology.TopicProvisioner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Stopping capture or the applier mid-stream and starting it again loses and doubles nothing. */
class RestartTest {

    private static final TableId ACCOUNTS = new TableId("public", "accounts");

    @Test
    void followerConvergesAfterTheApplierIsStoppedMidStreamAndRestarted() throws Exception {
        restartMidStream("restart_applier", 2, Replication::stopApplier, Replication::startApplier);
    }

    @Test
    void followerConvergesAfterCaptureIsStoppedMidStreamAndRestarted() throws Exception {
        restartMidStream("restart_capture", 1, Replication::stopCapture, r -> {
            try {
                r.startCapture();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void changeWrittenAgainByARestartedCaptureIsRecognisedAndNotAppliedTwice() throws Exception {
        try (Replication r = new Replication("replayed", 1, List.of(ACCOUNTS))) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, version int NOT NULL)");
            r.startCapture();
            r.startApplier();
            r.leader("INSERT INTO accounts VALUES (1, 100, 1)", "UPDATE accounts SET balance = 50, version = 2 WHERE id = 1");
            r.awaitFollowerMatchesLeader();
            // What a capture killed before its offset was flushed does: write already-published events again.
            String topic = r.topics().forTable(ACCOUNTS);
            // The table's schema change comes first, then the insert and the update.
            List<ConsumerRecord<byte[], byte[]>> published = readFromStart(r, topic, 3);
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(r.kafka().clientConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
                for (ConsumerRecord<byte[], byte[]> old : published.subList(1, 3)) {
                    p.send(new ProducerRecord<>(topic, null, old.key(), old.value(), old.headers())).get();
                }
            }
            r.leader("INSERT INTO accounts VALUES (2, 7, 1)");
            r.awaitFollowerMatchesLeader();
            assertEquals(List.of(List.of("1", "50", "2"), List.of("2", "7", "1")),
                    Sql.queryRows(r.followerUrl(), "SELECT * FROM accounts ORDER BY id"));
            assertEquals(2, r.applier().replayedCount(), "both replayed changes recognised by their source order");
        }
    }

    /**
     * A capture that dies during its initial snapshot leaves the slot behind and no offset saying the
     * snapshot finished. Started again, Debezium snapshots once more; on a slot that already exists it
     * cannot use the slot's exported snapshot, so its rows and the LSN it streams from are not one
     * point of the leader's history (Debezium 3.6 reads the rows after that LSN: changes between the
     * two are replayed over newer rows). The writes go on throughout; nothing may be lost.
     */
    @Test
    void captureStartedAgainAfterDyingInItsInitialSnapshotLosesNoTransaction() throws Exception {
        try (Replication r = new Replication("snapshot_died", 2, List.of(ACCOUNTS))) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, version int NOT NULL)",
                    "INSERT INTO accounts SELECT g, 100, 1 FROM generate_series(1, 1000) g");
            r.leader("SELECT pg_create_logical_replication_slot('" + r.captureSettings().slotName() + "', 'pgoutput')");
            AtomicBoolean writing = new AtomicBoolean(true);
            CompletableFuture<Void> inserts = CompletableFuture.runAsync(() -> {
                try (Connection c = DriverManager.getConnection(r.leaderUrl())) {
                    for (int id = 1001; writing.get(); id++) {
                        Sql.execute(c, "INSERT INTO accounts VALUES (" + id + ", 100, 1)");
                        // A steady stream of commits rather than a loop that takes a core from capture.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            r.startCapture();
            long lastBeforeStreaming = Sql.queryForLong(r.leaderUrl(), "SELECT max(id) FROM accounts");
            r.startApplier();
            Await.until("the follower has rows written after capture started streaming", Duration.ofSeconds(60),
                    () -> Sql.queryForLong(r.followerUrl(), "SELECT coalesce(max(id), 0) FROM accounts") > lastBeforeStreaming + 200);
            writing.set(false);
            inserts.join();
            r.awaitFollowerMatchesLeader();
        }
    }

    /**
     * Kafka refuses the first row of a table's new shape (too large for the topic) after it took the
     * schema change's copy for the table's other partition, in the same batch. A reader that saw that
     * one copy would wait forever for its sibling; no reader may see any of the batch, and once the
     * topic takes the row, capture publishes the batch whole and the follower gets all of it.
     */
    @Test
    void aBatchKafkaTakesOnlyPartOfIsReadByNobodyUntilCapturePublishesAllOfIt() throws Exception {
        TableId docs = new TableId("public", "docs");
        try (Replication r = new Replication("partial_batch", 2, List.of(docs));
             Admin admin = Admin.create(r.kafka().clientConfig())) {
            r.leader("CREATE TABLE docs (id int PRIMARY KEY, body bytea NOT NULL)", "INSERT INTO docs VALUES (1, '\\x01')");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
            String topic = r.topics().forTable(docs);
            maxMessageBytes(admin, topic, 64 * 1024);
            long committedBefore = r.records(topic, "read_committed");
            // 200 KB of incompressible bytes: too large for the topic now.
            r.leader("ALTER TABLE docs ADD COLUMN note text",
                    "INSERT INTO docs SELECT 2, decode(string_agg(md5(random()::text), ''), 'hex'), 'big' FROM generate_series(1, 12500)");
            Await.until("capture tried to publish the schema change and the row", Duration.ofSeconds(60),
                    () -> r.records(topic, "read_uncommitted") > committedBefore);
            assertEquals(committedBefore, r.records(topic, "read_committed"), "records of the refused batch readable");
            maxMessageBytes(admin, topic, TopicProvisioner.MAX_RECORD_BYTES);
            r.leader("INSERT INTO docs VALUES (3, '\\x03', 'after')");
            r.awaitFollowerMatchesLeader();
        }
    }

    private static void maxMessageBytes(Admin admin, String topic, int bytes) throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(new AlterConfigOp(
                new ConfigEntry("max.message.bytes", Integer.toString(bytes)), AlterConfigOp.OpType.SET)))).all().get();
    }

    /** The first {@code count} changes of the topic's partition 0 (capture's watermarks left out). */
    private static List<ConsumerRecord<byte[], byte[]>> readFromStart(Replication r, String topic, int count) {
        List<ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(r.kafka().clientConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition p0 = new TopicPartition(topic, 0);
            c.assign(List.of(p0));
            c.seekToBeginning(List.of(p0));
            Await.until(count + " records on " + topic, Duration.ofSeconds(30), () -> {
                c.poll(Duration.ofMillis(200)).forEach(rec -> {
                    if (!Replication.isWatermark(rec)) {
                        out.add(rec);
                    }
                });
                return out.size() >= count;
            });
        }
        return out.subList(0, count);
    }

    /**
     * Stops one service while the leader is being written, writes more while it is down, starts it
     * again, compares. The test drives every write itself, so nothing depends on how fast the machine
     * is: a background writer runs until it is told to stop (the service is stopped while it writes,
     * and started again while it writes), and a fixed number of transactions is written while the
     * service is down.
     */
    private static void restartMidStream(String name, int partitions, Consumer<Replication> stop, Consumer<Replication> start)
            throws Exception {
        try (Replication r = new Replication(name, partitions, List.of(ACCOUNTS))) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, version int NOT NULL)");
            r.startCapture();
            r.startApplier();
            AtomicInteger nextId = new AtomicInteger(1);
            AtomicBoolean writing = new AtomicBoolean(true);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (Connection c = DriverManager.getConnection(r.leaderUrl())) {
                    while (writing.get()) {
                        writeOne(c, nextId.getAndIncrement());
                        // A steady stream of commits rather than a loop that takes a core from capture.
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until("the applier applied part of the workload", Duration.ofSeconds(60),
                    () -> failIfDone(writer) || r.applier().appliedCount() > 100);
            stop.accept(r);
            try (Connection c = DriverManager.getConnection(r.leaderUrl())) {
                for (int i = 0; i < 200; i++) {
                    writeOne(c, nextId.getAndIncrement());
                }
            }
            start.accept(r);
            int afterStart = nextId.get();
            Await.until("the writer went on after " + name + " was started again", Duration.ofSeconds(60),
                    () -> failIfDone(writer) || nextId.get() > afterStart + 50);
            writing.set(false);
            writer.join();
            r.awaitFollowerMatchesLeader();
            assertEquals(Sql.queryRows(r.leaderUrl(), "SELECT * FROM accounts ORDER BY id"),
                    Sql.queryRows(r.followerUrl(), "SELECT * FROM accounts ORDER BY id"));
        }
    }

    /** One transaction per statement: a new row, an update of an older one, every tenth a delete. */
    private static void writeOne(Connection c, int id) {
        Sql.execute(c, "INSERT INTO accounts VALUES (" + id + ", 100, 1)",
                "UPDATE accounts SET balance = balance + 1, version = version + 1 WHERE id = " + Math.max(1, id / 2),
                id % 10 == 0 ? "DELETE FROM accounts WHERE id = " + (id - 5) : "SELECT 1");
    }

    /** Never true: a writer that ended while it should still be writing failed, and its error is thrown. */
    private static boolean failIfDone(CompletableFuture<Void> writer) {
        if (writer.isDone()) {
            writer.join();
            throw new AssertionError("the writer stopped before it was told to");
        }
        return false;
    }
}
