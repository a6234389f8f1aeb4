package dev.replog.cli.e2e;

import dev.replog.applier.ApplierService;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Apply in parallel across partitions: row-mode appliers of one consumer group share a table's
 * partitions, each applying its partitions into the same follower in its own transactions, and every
 * key's changes still arrive in leader order because a key always lives in one partition.
 */
class ScaleOutTest {

    private static final TableId COUNTERS = new TableId("public", "counters");
    private static final int KEYS = 200;

    @Test
    void twoAppliersOfOneGroupSplitThePartitionsAndTheFollowerMatchesTheLeaderAcrossARebalance() throws Exception {
        try (Replication r = new Replication("e2e_scale_out", 4, List.of(COUNTERS))) {
            r.leader("CREATE TABLE counters (id int PRIMARY KEY, value bigint NOT NULL, history text NOT NULL DEFAULT '')");
            r.startCapture();
            r.startApplier();
            ApplierService second = ApplierService.start(r.applierSettings());
            int[] rounds = {0};
            boolean secondRunning = true;
            try {
                r.leader("INSERT INTO counters (id, value) SELECT g, 0 FROM generate_series(1, " + KEYS + ") g");
                // Every round updates every key once: a change applied out of order leaves a value or a
                // history that the leader never had. Rounds go on until the group has given each
                // applier some of the four partitions and both have applied changes.
                Await.until("both appliers applied changes", Replication.CATCH_UP, () -> {
                    updateEveryKey(r, ++rounds[0]);
                    return r.applier().appliedCount() > 0 && second.appliedCount() > 0;
                });
                r.awaitFollowerMatchesLeader();

                // One applier leaves the group: the other takes over its partitions from the positions
                // stored in the follower.
                second.close();
                secondRunning = false;
                for (int i = 0; i < 10; i++) {
                    updateEveryKey(r, ++rounds[0]);
                }
                r.awaitFollowerMatchesLeader();
            } finally {
                if (secondRunning) {
                    second.close();
                }
            }
            assertEquals((long) rounds[0] * KEYS, Sql.queryForLong(r.followerUrl(), "SELECT sum(value) FROM counters"));
            StringBuilder history = new StringBuilder();
            for (int round = 1; round <= rounds[0]; round++) {
                history.append(',').append(round);
            }
            assertEquals(history.toString(),
                    Sql.queryRows(r.followerUrl(), "SELECT history FROM counters WHERE id = 7").get(0).get(0));
        }
    }

    private static void updateEveryKey(Replication r, int round) {
        r.leader("UPDATE counters SET value = value + 1, history = history || '," + round + "'");
    }
}
