package dev.replog.cli.e2e;

import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** An idle or filtered-out leader must not pile up WAL behind Replog's slot. */
class HeartbeatTest {

    private static final long BOUND_BYTES = 2L * 1024 * 1024;

    @Test
    void leaderRetainedWalStaysBoundedWhenOnlyUncapturedTablesAreWritten() throws Exception {
        TableId captured = new TableId("public", "captured");
        try (Replication r = new Replication("heartbeat", 1, List.of(captured))) {
            r.leader("CREATE TABLE captured (id int PRIMARY KEY)", "CREATE TABLE not_captured (id bigserial PRIMARY KEY, pad text)");
            r.startCapture();
            String behind = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint FROM pg_replication_slots "
                    + "WHERE slot_name = '" + r.captureSettings().slotName() + "'";
            for (int round = 0; round < 4; round++) {
                // About 4 MB of WAL per round, none of it in a captured table.
                r.leader("INSERT INTO not_captured (pad) SELECT repeat('x', 1000) FROM generate_series(1, 4000)");
            }
            long written = Sql.queryForLong(r.leaderUrl(), behind);
            assertTrue(written > 8 * 1024 * 1024, "the workload wrote WAL the slot has not confirmed yet: " + written);
            Await.until("the slot's confirmed position follows the leader's WAL to within 2 MB", Duration.ofSeconds(60),
                    () -> Sql.queryForLong(r.leaderUrl(), behind) < BOUND_BYTES);
        }
    }
}
