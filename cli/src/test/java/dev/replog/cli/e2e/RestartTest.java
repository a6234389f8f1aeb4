package dev.replog.cli.e2e;

import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Stopping capture or the applier mid-stream and starting it again loses and doubles nothing. */
class RestartTest {

    private static final TableId ACCOUNTS = new TableId("public", "accounts");

    private static Thread workload(Replication r, int transactions) {
        return new Thread(() -> {
            for (int i = 1; i <= transactions; i++) {
                r.leader("INSERT INTO accounts VALUES (" + i + ", 100, 1)",
                        "UPDATE accounts SET balance = balance + 1, version = version + 1 WHERE id = " + Math.max(1, i / 2),
                        i % 10 == 0 ? "DELETE FROM accounts WHERE id = " + (i - 5) : "SELECT 1");
            }
        }, "workload");
    }

    @Test
    void followerConvergesAfterTheApplierIsStoppedMidStreamAndRestarted() throws Exception {
        try (Replication r = new Replication("restart_applier", 2, List.of(ACCOUNTS))) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, version int NOT NULL)");
            r.startCapture();
            r.startApplier();
            Thread w = workload(r, 600);
            w.start();
            Await.until("the applier applied part of the workload", Duration.ofSeconds(60), () -> r.applier().appliedCount() > 100);
            r.stopApplier();
            Await.until("the workload moved on while the applier was down", Duration.ofSeconds(60),
                    () -> Sql.queryForLong(r.leaderUrl(), "SELECT count(*) FROM accounts") > 200);
            r.startApplier();
            w.join();
            r.awaitFollowerMatchesLeader();
            assertEquals(Sql.queryRows(r.leaderUrl(), "SELECT * FROM accounts ORDER BY id"),
                    Sql.queryRows(r.followerUrl(), "SELECT * FROM accounts ORDER BY id"));
        }
    }

    @Test
    void followerConvergesAfterCaptureIsStoppedMidStreamAndRestarted() throws Exception {
        try (Replication r = new Replication("restart_capture", 1, List.of(ACCOUNTS))) {
            r.leader("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, version int NOT NULL)");
            r.startCapture();
            r.startApplier();
            Thread w = workload(r, 600);
            w.start();
            Await.until("the applier applied part of the workload", Duration.ofSeconds(60), () -> r.applier().appliedCount() > 100);
            r.stopCapture();
            Await.until("the workload moved on while capture was down", Duration.ofSeconds(60),
                    () -> Sql.queryForLong(r.leaderUrl(), "SELECT count(*) FROM accounts") > 300);
            r.startCapture();
            w.join();
            r.awaitFollowerMatchesLeader();
            assertEquals(Sql.queryRows(r.leaderUrl(), "SELECT * FROM accounts ORDER BY id"),
                    Sql.queryRows(r.followerUrl(), "SELECT * FROM accounts ORDER BY id"));
        }
    }
}
