package dev.replog.cli.e2e;

import dev.replog.applier.ApplyLag;
import dev.replog.applier.ApplyMode;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ApplyLag} against real servers, with capture's transactional producer in place (every
 * capture batch leaves a commit marker in each partition it wrote).
 */
class ApplyLagTest {

    private static final TableId ACCOUNTS = new TableId("public", "accounts");

    @ParameterizedTest
    @EnumSource(ApplyMode.class)
    void lagCountsEveryUnappliedDataRecordAndNoTransactionMarkerAndReachesExactlyZero(ApplyMode mode) throws Exception {
        try (Replication r = new Replication("apply_lag_" + mode, 2, List.of(ACCOUNTS));
             ApplyLag lag = new ApplyLag(r.kafka(), r.topics())) {
            r.mode(mode);
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)", "INSERT INTO accounts VALUES (0, 0)");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
            r.stopApplier();

            // 50 transactions of one insert, one of 10 inserts, a delete (a change and its tombstone): 62 records.
            for (int id = 1; id <= 50; id++) {
                r.leader("INSERT INTO accounts VALUES (" + id + ", 1)");
            }
            r.leader("INSERT INTO accounts SELECT g, 2 FROM generate_series(51, 60) g");
            Lsn beforeLastChange = Lsn.parse(Sql.queryRows(r.leaderUrl(), "SELECT pg_current_wal_insert_lsn()::text").get(0).get(0));
            r.leader("DELETE FROM accounts WHERE id = 0");
            Await.until("capture published the last change", Duration.ofSeconds(60),
                    () -> !beforeLastChange.isAfter(r.capture().lastPublishedLsn()));

            try (Connection follower = DriverManager.getConnection(r.followerUrl())) {
                Lsn leaderNow = Lsn.parse(Sql.queryRows(r.leaderUrl(), "SELECT pg_current_wal_lsn()::text").get(0).get(0));
                ApplyLag.Lag behind = lag.measure(follower, leaderNow);
                assertEquals(62, behind.records(), "pending records; the log's offsets beyond the follower's positions: "
                        + offsetsBeyondPositions(r));
                assertTrue(behind.exact());
                assertTrue(offsetsBeyondPositions(r) > 62, "the log holds transaction markers the lag must not count");
                assertNotNull(behind.walBytes());
                assertTrue(behind.walBytes() > 0, "WAL behind: " + behind.walBytes());
                assertNotNull(behind.behindCommit(), "commit time of the oldest pending change");
                assertTrue(behind.behindCommit().compareTo(Duration.ZERO) > 0 && behind.behindCommit().compareTo(Duration.ofMinutes(2)) < 0,
                        "behind the leader's commit: " + behind.behindCommit());

                r.startApplier();
                r.awaitFollowerMatchesLeader();
                Await.until("the lag reaches 0 records", Duration.ofSeconds(30), () -> lag.pendingRecords(follower) == 0);
                ApplyLag.Lag none = lag.measure(follower, r.capture().lastPublishedLsn());
                assertEquals(new ApplyLag.Lag(0, true, 0L, Duration.ZERO), none, "lag once caught up, WAL up to capture's "
                        + r.capture().lastPublishedLsn() + "; positions " + Sql.queryRows(r.followerUrl(), "SELECT * FROM replog.positions"));
            }
        }
    }

    /** Log end offsets minus the offsets after the follower's stored positions: what the lag counted before. */
    private static long offsetsBeyondPositions(Replication r) {
        String topic = r.topics().forTable(ACCOUNTS);
        List<List<String>> rows = Sql.queryRows(r.followerUrl(), "SELECT partition, kafka_offset FROM replog.positions WHERE topic = '" + topic + "'");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(r.kafka().clientConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            long sum = 0;
            for (Map.Entry<TopicPartition, Long> e : c.endOffsets(partitions).entrySet()) {
                long next = rows.stream().filter(row -> Integer.parseInt(row.get(0)) == e.getKey().partition())
                        .mapToLong(row -> Long.parseLong(row.get(1)) + 1).findFirst().orElse(0);
                sum += e.getValue() - next;
            }
            return sum;
        }
    }
}
