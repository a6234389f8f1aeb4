package dev.replog.cli.e2e;

import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplyMode;
import dev.replog.capture.CaptureService;
import dev.replog.capture.CaptureSettings;
import dev.replog.capture.LeaderConnection;
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
 * A follower or a leader that is down for longer than every client timeout on the way to it (the
 * follower pool waits 10 s for a connection; Debezium's replication connection fails at once):
 * appliers of both modes and capture wait, retrying, and resume with nothing lost or doubled once
 * it is back. (Kafka down longer than its client timeouts: the soak.)
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

    @Test
    void captureWaitsOutALeaderOutageAndLosesNoTransaction() throws Exception {
        TestServers servers = TestServers.get();
        try (Replication r = new Replication("leader_outage", 2, List.of(ACCOUNTS));
             TcpProxy link = TcpProxy.start(servers.leader().host(), servers.leader().port())) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                    "INSERT INTO accounts SELECT g, 100 FROM generate_series(1, 500) g");
            CaptureSettings direct = r.captureSettings();
            LeaderConnection l = direct.leader();
            try (CaptureService capture = CaptureService.start(direct.withLeader(
                    new LeaderConnection(l.host(), link.port(), l.database(), l.user(), l.password(), l.sslMode())))) {
                r.startApplier();
                r.awaitFollowerMatchesLeader();
                link.cut();
                // The leader's application goes on while capture cannot reach it; the slot keeps the WAL.
                for (int i = 1; i <= 200; i++) {
                    r.leader("UPDATE accounts SET balance = balance + " + i + " WHERE id = " + (1 + i % 500),
                            "INSERT INTO accounts VALUES (" + (1000 + i) + ", " + i + ")",
                            "DELETE FROM accounts WHERE id = " + (2 * i));
                }
                TimeUnit.SECONDS.sleep(15); // the outage's length: several of capture's restart attempts
                assertTrue(Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM accounts WHERE id > 1000") < 200,
                        "nothing could be captured while the leader was unreachable");
                link.restore();
                r.awaitFollowerMatchesLeader();
            }
        }
    }
}
