package dev.replog.cli.e2e;

import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
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
