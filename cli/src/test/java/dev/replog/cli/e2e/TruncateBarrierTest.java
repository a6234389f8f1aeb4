package dev.replog.cli.e2e;

import dev.replog.applier.follower.TruncateBarrier;
import dev.replog.applier.state.PositionStore;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.Lsn;
import dev.replog.testkit.Await;
import dev.replog.testkit.TestDatabase;
import dev.replog.testkit.TestServers;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cross-partition barrier of a truncate or schema change, as two row-mode appliers of one group
 * meet it: each records its partitions' copies in its own follower transaction, at the same time.
 */
class TruncateBarrierTest {

    private static final String TOPIC = "barrier.public.counters";
    private static final Lsn LSN = Lsn.parse("0/27A32838");

    @Test
    void whenTwoAppliersRecordTheirCopiesConcurrentlyTheLastToCommitExecutesItAndReleasesEveryPartition() throws Exception {
        PostgresServer follower = TestServers.get().follower();
        String db = TestDatabase.fresh(follower, "truncate_barrier");
        try (Connection a = follower.connect(db); Connection b = follower.connect(db)) {
            PositionStore.createIfMissing(a);
            a.setAutoCommit(false);
            b.setAutoCommit(false);

            // Applier A's batch reaches the copies in partitions 0 and 1 and has not committed yet ...
            assertFalse(TruncateBarrier.arrive(a, new TopicPartition(TOPIC, 0), LSN, 4));
            assertFalse(TruncateBarrier.arrive(a, new TopicPartition(TOPIC, 1), LSN, 4));
            // ... while applier B's batch reaches the copies in partitions 2 and 3.
            CompletableFuture<Boolean> b2AndB3 = CompletableFuture.supplyAsync(() -> {
                try {
                    boolean last = TruncateBarrier.arrive(b, new TopicPartition(TOPIC, 2), LSN, 4);
                    last |= TruncateBarrier.arrive(b, new TopicPartition(TOPIC, 3), LSN, 4);
                    b.commit();
                    return last;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // A commits only once B has counted without A's arrivals (done) or waits for A's turn.
            Await.until("applier B counted or waits for applier A's transaction", Duration.ofSeconds(30),
                    () -> b2AndB3.isDone() || waitsOnALock(follower, db));
            a.commit();

            assertTrue(b2AndB3.get(30, TimeUnit.SECONDS), "the last copy to arrive must execute the truncate");
            a.setAutoCommit(true);
            for (int p = 0; p < 4; p++) {
                assertTrue(TruncateBarrier.waitingAt(a, new TopicPartition(TOPIC, p)).isEmpty(),
                        "partition " + p + " must not wait any longer");
            }
        }
    }

    private static boolean waitsOnALock(PostgresServer follower, String db) throws Exception {
        try (Connection c = follower.connect(db); var s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }
}
