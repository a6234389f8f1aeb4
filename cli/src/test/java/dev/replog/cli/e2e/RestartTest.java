package dev.replog.cli.e2e;

import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
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

    private static List<ConsumerRecord<byte[], byte[]>> readFromStart(Replication r, String topic, int count) {
        List<ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(r.kafka().clientConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition p0 = new TopicPartition(topic, 0);
            c.assign(List.of(p0));
            c.seekToBeginning(List.of(p0));
            Await.until(count + " records on " + topic, Duration.ofSeconds(30), () -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= count;
            });
        }
        return out.subList(0, count);
    }

    /** Stops one service while a workload runs, lets the leader move on, starts it again, compares. */
    private static void restartMidStream(String name, int partitions, Consumer<Replication> stop, Consumer<Replication> start)
            throws Exception {
        try (Replication r = new Replication(name, partitions, List.of(ACCOUNTS))) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, version int NOT NULL)");
            r.startCapture();
            r.startApplier();
            Thread w = new Thread(() -> {
                for (int i = 1; i <= 600; i++) {
                    r.leader("INSERT INTO accounts VALUES (" + i + ", 100, 1)",
                            "UPDATE accounts SET balance = balance + 1, version = version + 1 WHERE id = " + Math.max(1, i / 2),
                            i % 10 == 0 ? "DELETE FROM accounts WHERE id = " + (i - 5) : "SELECT 1");
                }
            }, "workload");
            w.start();
            Await.until("the applier applied part of the workload", Duration.ofSeconds(60), () -> r.applier().appliedCount() > 100);
            long rowsAtStop = Sql.queryForLong(r.leaderUrl(), "SELECT count(*) FROM accounts");
            stop.accept(r);
            Await.until("the workload moved on while " + name + " was down", Duration.ofSeconds(60),
                    () -> Sql.queryForLong(r.leaderUrl(), "SELECT count(*) FROM accounts") > rowsAtStop + 100);
            start.accept(r);
            w.join();
            r.awaitFollowerMatchesLeader();
            assertEquals(Sql.queryRows(r.leaderUrl(), "SELECT * FROM accounts ORDER BY id"),
                    Sql.queryRows(r.followerUrl(), "SELECT * FROM accounts ORDER BY id"));
        }
    }
}
