package dev.replog.cli.e2e;

import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplyMode;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TcpProxy;
import dev.replog.testkit.TestServers;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A follower that is down for longer than every client timeout on the way to it (the pool waits
 * 10 s for a connection): appliers of both modes wait, retrying, and resume with nothing lost or
 * doubled once it is back. (Kafka down longer than its client timeouts: the soak.)
 */
class OutageTest {

    private static final TableId ACCOUNTS = new TableId("public", "accounts");

    @Test
    void appliersOfBothModesWaitOutAFollowerOutageLongerThanTheirTimeoutsAndResumeWithNothingLost() throws Exception {
        TestServers servers = TestServers.get();
        for (ApplyMode mode : List.of(ApplyMode.ROW, ApplyMode.TRANSACTIONAL)) {
            try (Replication r = new Replication("follower_outage_" + mode.name().toLowerCase(), 2, List.of(ACCOUNTS));
                 TcpProxy link = TcpProxy.start(servers.follower().host(), servers.follower().port())) {
                r.mode(mode);
                r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                        "INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 500) g");
                r.startCapture();
                String throughLink = r.followerUrl().replace(":" + servers.follower().port() + "/", ":" + link.port() + "/");
                try (ApplierService applier = ApplierService.start(r.applierSettings(throughLink, r.group()))) {
                    r.awaitFollowerMatchesLeader();
                    link.cut();
                    for (int i = 1; i <= 200; i++) {
                        r.leader("UPDATE accounts SET balance = balance + " + i + " WHERE id = " + (1 + i % 500),
                                "INSERT INTO accounts VALUES (" + (1000 + i) + ", " + i + ")",
                                "DELETE FROM accounts WHERE id = " + (2 * i));
                    }
                    // The outage's length, not a condition: longer than the pool's 10 s connection timeout.
                    TimeUnit.SECONDS.sleep(15);
                    assertFalse(applier.stopped().isDone(), mode + ": the applier waits while the follower is down");
                    assertTrue(Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM accounts WHERE id > 1000") < 200,
                            mode + ": nothing could reach the follower");
                    link.restore();
                    r.awaitFollowerMatchesLeader();
                    assertFalse(applier.stopped().isDone(), mode + ": the applier is still running");
                }
            }
        }
    }
}
