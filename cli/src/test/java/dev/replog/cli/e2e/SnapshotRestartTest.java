package dev.replog.cli.e2e;

import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.topology.TopicProvisioner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Debezium takes an initial snapshot again from scratch when the first attempt did not complete
 * (capture killed, Kafka down or refusing a record): the second attempt reads the tables at a later
 * point of the leader's history, and the deletes in between are never streamed. Rows the first
 * attempt published must not outlive it on the follower.
 */
class SnapshotRestartTest {

    private static final TableId ITEMS = new TableId("public", "items");

    @Test
    void rowsDeletedOnTheLeaderWhileASnapshotIsTakenAgainDoNotStayOnTheFollower() throws Exception {
        for (var mode : List.of(dev.replog.applier.ApplyMode.ROW, dev.replog.applier.ApplyMode.TRANSACTIONAL)) {
            try (Replication r = new Replication("snapshot_again_" + mode.name().toLowerCase(), 2, List.of(ITEMS));
                 Admin admin = Admin.create(r.kafka().clientConfig())) {
                r.mode(mode);
                // 5,000 small rows, then one too large for the topic as it is first configured: the
                // first snapshot attempt publishes the small rows' batches and fails at the large one.
                r.leader("CREATE TABLE items (id int PRIMARY KEY, body text NOT NULL)",
                        "INSERT INTO items SELECT g, 'row ' || g FROM generate_series(1, 5000) g",
                        "INSERT INTO items SELECT 5001, string_agg(md5(g::text), '') FROM generate_series(1, 8000) g");
                String topic = r.topics().forTable(ITEMS);
                new TopicProvisioner(admin, r.captureSettings().topicSettings()).ensureTableTopic(topic);
                maxMessageBytes(admin, topic, 64 * 1024);
                r.startApplier();
                r.startCapture(false);
                // A transactional follower shows no snapshot row before the snapshot is whole: the log holds them.
                Await.until("the first attempt's small rows are in the log", Duration.ofSeconds(60),
                        () -> r.records(topic, "read_committed") >= 5000);
                // Gone on the leader while capture keeps failing; the next attempt reads the table without them.
                r.leader("DELETE FROM items WHERE id <= 100");
                maxMessageBytes(admin, topic, TopicProvisioner.MAX_RECORD_BYTES);
                r.awaitFollowerMatchesLeader();
                assertEquals(0, Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM items WHERE id <= 100"), mode.toString());
            }
        }
    }

    private static void maxMessageBytes(Admin admin, String topic, int bytes) throws Exception {
        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(new AlterConfigOp(
                new ConfigEntry("max.message.bytes", Integer.toString(bytes)), AlterConfigOp.OpType.SET)))).all().get();
    }
}
