package dev.replog.cli.e2e;

import dev.replog.applier.verify.TableComparison;
import dev.replog.cli.Main;
import dev.replog.embedded.ChildJvm;
import dev.replog.embedded.KafkaBrokerProcess;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TableContents;
import dev.replog.testkit.TestDatabase;
import dev.replog.testkit.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Capture, applier and the Kafka broker each run as their own OS process. While a multi-table
 * workload runs on the leader, a seeded schedule kills one of them with SIGKILL, several times,
 * and starts it again. Afterwards every follower table must equal the leader's, row by row.
 * Reproduce a failure with {@code -Dreplog.faults.seed=<seed from the message>}.
 */
class FaultInjectionTest {

    private static final List<TableId> TABLES = List.of(new TableId("public", "accounts"), new TableId("public", "ledger"));
    private static final int CYCLES = 5;

    @TempDir
    Path dir;

    @Test
    void followerMatchesLeaderAfterCaptureApplierAndBrokerAreKilledRepeatedlyMidWorkload() throws Exception {
        long seed = Long.getLong("replog.faults.seed", System.currentTimeMillis());
        Random random = new Random(seed);
        TestServers servers = TestServers.get();
        PostgresServer leader = servers.leader();
        PostgresServer follower = servers.follower();
        String leaderDb = TestDatabase.fresh(leader, "faults");
        String followerDb = TestDatabase.fresh(follower, "faults");
        Sql.execute(leader.jdbcUrl(leaderDb),
                "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)",
                "CREATE TABLE ledger (id bigserial PRIMARY KEY, account int NOT NULL, amount bigint NOT NULL, note text)",
                "INSERT INTO accounts SELECT g, 1000 FROM generate_series(1, 50) g");

        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(dir)) {
            Path config = writeConfig(broker.bootstrapServers(), leader, leaderDb, follower, followerDb);
            try (ChildJvm capture = replog("capture", config, "capture.log");
                 ChildJvm applier = replog("apply", config, "apply.log")) {
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong transactions = new AtomicLong();
                Thread workload = new Thread(() -> transfers(leader, leaderDb, seed, running, transactions), "workload");
                workload.start();
                String faults = injectFaults(random, capture, applier, broker);
                running.set(false);
                workload.join();
                String context = "seed " + seed + ", faults " + faults + ", " + transactions.get() + " leader transactions";
                org.slf4j.LoggerFactory.getLogger(FaultInjectionTest.class).info("injected faults: {}", context);
                Await.until("follower equals leader after faults (" + context + ")", Duration.ofSeconds(180), () -> {
                    if (!capture.isAlive() || !applier.isAlive()) {
                        throw new AssertionError("a replog process died (" + context + "):\ncapture:\n" + capture.tail(30)
                                + "\napply:\n" + applier.tail(30));
                    }
                    return matches(leader, leaderDb, follower, followerDb);
                });
                for (String table : List.of("public.accounts", "public.ledger")) {
                    assertEquals(TableContents.of(leader.jdbcUrl(leaderDb), table, "id"),
                            TableContents.of(follower.jdbcUrl(followerDb), table, "id"), table + " (" + context + ")");
                }
            }
        } finally {
            Sql.execute(leader.jdbcUrl(leaderDb), "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    + "WHERE slot_name = '" + leaderDb + "' AND NOT active");
        }
    }

    private ChildJvm replog(String command, Path config, String log) {
        return ChildJvm.start(Main.class.getName(), List.of(command, "--config", config.toString()), "384m", dir.resolve(log));
    }

    /** Kills one of the three processes per cycle, at seeded moments, and starts it again. */
    private static String injectFaults(Random random, ChildJvm capture, ChildJvm applier, KafkaBrokerProcess broker)
            throws InterruptedException {
        StringBuilder done = new StringBuilder();
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            // Pacing the faults, not waiting for a condition: let the pipeline run between kills.
            TimeUnit.MILLISECONDS.sleep(1500 + random.nextInt(2500));
            int victim = random.nextInt(3);
            if (victim == 0) {
                capture.kill();
                TimeUnit.MILLISECONDS.sleep(random.nextInt(1500));
                capture.restart();
                done.append("capture ");
            } else if (victim == 1) {
                applier.kill();
                TimeUnit.MILLISECONDS.sleep(random.nextInt(1500));
                applier.restart();
                done.append("apply ");
            } else {
                broker.kill();
                broker.restart();
                done.append("broker ");
            }
        }
        return done.toString().trim();
    }

    /** Money moves between accounts, each move written to both tables in one leader transaction. */
    private static void transfers(PostgresServer leader, String db, long seed, AtomicBoolean running, AtomicLong count) {
        Random random = new Random(seed + 1);
        try (Connection c = leader.connect(db)) {
            c.setAutoCommit(false);
            while (running.get()) {
                int from = 1 + random.nextInt(50);
                int to = 1 + random.nextInt(50);
                long amount = 1 + random.nextInt(20);
                Sql.execute(c,
                        "UPDATE accounts SET balance = balance - " + amount + " WHERE id = " + from,
                        "UPDATE accounts SET balance = balance + " + amount + " WHERE id = " + to,
                        "INSERT INTO ledger (account, amount, note) VALUES (" + from + ", " + (-amount) + ", 'out'), ("
                                + to + ", " + amount + ", NULL)",
                        random.nextInt(10) == 0 ? "DELETE FROM ledger WHERE id = (SELECT min(id) FROM ledger)" : "SELECT 1");
                c.commit();
                count.incrementAndGet();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean matches(PostgresServer leader, String leaderDb, PostgresServer follower, String followerDb)
            throws SQLException {
        try (Connection l = leader.connect(leaderDb); Connection f = follower.connect(followerDb)) {
            for (TableId t : TABLES) {
                if (!TableComparison.compare(l, f, t).matches()) {
                    return false;
                }
            }
            return true;
        }
    }

    private Path writeConfig(String bootstrap, PostgresServer leader, String leaderDb, PostgresServer follower, String followerDb)
            throws IOException {
        Path file = dir.resolve("replog.properties");
        Files.write(file, List.of(
                "kafka.bootstrap.servers=" + bootstrap,
                "topics.prefix=" + leaderDb,
                "topics.partitions=2",
                "topics.replication.factor=1",
                "leader.host=" + leader.host(),
                "leader.port=" + leader.port(),
                "leader.database=" + leaderDb,
                "leader.user=" + leader.user(),
                "leader.sslmode=disable",
                "capture.tables=public.accounts,public.ledger",
                "capture.slot.name=" + leaderDb,
                "capture.publication.name=" + leaderDb,
                "capture.heartbeat.interval.ms=1000",
                "follower.jdbc.url=jdbc:postgresql://" + follower.host() + ":" + follower.port() + "/" + followerDb,
                "follower.user=" + follower.user(),
                "follower.sslmode=disable",
                "apply.group.id=" + followerDb,
                "startup.timeout.seconds=120"));
        return file;
    }
}
