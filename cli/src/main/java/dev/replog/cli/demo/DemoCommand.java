package dev.replog.cli.demo;

import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyLag;
import dev.replog.applier.FollowerConnection;
import dev.replog.applier.verify.TableComparison;
import dev.replog.capture.CaptureService;
import dev.replog.capture.CaptureSettings;
import dev.replog.capture.LeaderConnection;
import dev.replog.embedded.Dirs;
import dev.replog.embedded.EmbeddedStack;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.serve.ServeService;
import dev.replog.serve.ServeSettings;
import dev.replog.serve.client.FollowerAwait;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;
import dev.replog.topology.TopicSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code replog demo}: the whole pipeline on the embedded default, a workload on the leader, live
 * progress, and a table-by-table verdict. Exit code 0 only if every table matches.
 */
@Command(name = "demo", description = "Run leader, Kafka, follower, capture and applier in-process, replicate a workload and compare.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--seconds", defaultValue = "8", description = "How long the workload runs (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--keep-running", description = "Leave everything running after the verdict, until Ctrl-C.")
    boolean keepRunning;

    @Option(names = "--catch-up-timeout", defaultValue = "120", description = "Seconds to wait for the follower to catch up.")
    int catchUpTimeout;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        out.println("Starting embedded leader PostgreSQL, follower PostgreSQL and Kafka broker ...");
        try (EmbeddedStack stack = EmbeddedStack.start("replog-demo-")) {
            out.printf("  leader   %s%n  follower %s%n  kafka    %s%n", stack.leader().jdbcUrl(),
                    stack.follower().jdbcUrl(), stack.kafka().bootstrapServers());
            DemoWorkload workload = new DemoWorkload(42);
            try (Connection c = stack.leader().connect()) {
                workload.prepare(c);
            }
            TopicNames topics = new TopicNames("demo");
            KafkaSettings kafka = KafkaSettings.plaintext(stack.kafka().bootstrapServers());
            Path serveState = Files.createTempDirectory("replog-demo-serve-");
            try (CaptureService capture = CaptureService.start(captureSettings(stack.leader(), topics, kafka));
                 ApplierService applier = ApplierService.start(applierSettings(stack.follower(), topics, kafka));
                 ServeService serve = ServeService.start(ServeSettings.of(kafka, topics, DemoWorkload.TABLES, "replog-demo-serve",
                         serveState, 0));
                 ApplyLag lag = new ApplyLag(kafka, topics);
                 Connection leaderDb = stack.leader().connect();
                 Connection followerDb = stack.follower().connect()) {
                capture.awaitStreaming(Duration.ofSeconds(60));
                out.printf("Capture and applier running; workload on the leader for %d s:%n", seconds);
                CompletableFuture<Void> run = CompletableFuture.runAsync(() -> runWorkload(stack.leader(), workload));
                while (!run.isDone()) {
                    try {
                        run.get(1, TimeUnit.SECONDS);
                    } catch (TimeoutException | ExecutionException stillRunningOrFailed) {
                        // progress below either way; a failure surfaces from join()
                    }
                    progress(workload, capture, applier, lag, leaderDb, followerDb);
                }
                run.join();
                out.println("Workload done; waiting for the follower to catch up ...");
                long waitStart = System.nanoTime();
                boolean caughtUp = awaitCatchUp(workload.lastChangeFloor(), capture, applier, lag, followerDb);
                out.println(caughtUp
                        ? String.format("Follower caught up in %.1f s.", (System.nanoTime() - waitStart) / 1e9)
                        : "Follower did not catch up within " + catchUpTimeout + " s.");
                progress(workload, capture, applier, lag, leaderDb, followerDb);
                out.println();
                out.println("Leader vs follower, table by table:");
                boolean all = true;
                for (TableId t : DemoWorkload.TABLES) {
                    TableComparison cmp = TableComparison.compare(leaderDb, followerDb, t);
                    out.println("  " + cmp.describe());
                    all &= cmp.matches();
                }
                out.println(all ? "Verdict: MATCH — the follower equals the leader." :
                        caughtUp ? "Verdict: MISMATCH" : "Verdict: MISMATCH (the follower did not catch up in time)");
                showReadReplica(serve, leaderDb);
                if (keepRunning) {
                    keepRunning(stack);
                }
                return all ? 0 : 1;
            } finally {
                Dirs.deleteRecursively(serveState);
            }
        }
    }

    /** The serve instance's answer for one customer, once it has applied the leader's last commit, and a curl line. */
    private void showReadReplica(ServeService serve, Connection leaderDb) throws SQLException, InterruptedException {
        Lsn now;
        long id;
        try (Statement s = leaderDb.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text, (SELECT max(id) FROM shop.customers)")) {
            rs.next();
            now = Lsn.parse(rs.getString(1));
            id = rs.getLong(2);
        }
        boolean applied = FollowerAwait.await(List.of(FollowerAwait.serveGroup(List.of(serve.address()))), now, 1,
                Duration.ofSeconds(catchUpTimeout)).reached();
        out.println();
        out.println(applied ? "Read replica (replog serve) on " + serve.address() + " has applied the leader's LSN " + now + "."
                : "Read replica (replog serve) on " + serve.address() + " had not applied the leader's LSN " + now + " in time.");
        out.printf("  curl -s 'http://%s/v1/tables/shop.customers/rows/%d?min_lsn=%s'%n", serve.address(), id, now);
    }

    private void runWorkload(PostgresServer leader, DemoWorkload workload) {
        try (Connection c = leader.connect()) {
            workload.run(c, Duration.ofSeconds(seconds));
        } catch (SQLException e) {
            throw new IllegalStateException("demo workload failed: " + e.getMessage(), e);
        }
    }

    /**
     * Waits until capture has published the whole workload and the follower has applied every data
     * record of it (Kafka's transaction markers are not records to apply, see {@link ApplyLag}).
     */
    private boolean awaitCatchUp(Lsn floor, CaptureService capture, ApplierService applier, ApplyLag lag,
                                 Connection followerDb) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(catchUpTimeout).toNanos();
        while (System.nanoTime() < deadline) {
            if (applier.stopped().isDone()) {
                applier.stopped().join();
            }
            if (!capture.lastPublishedLsn().isAfter(floor) && !capture.lastPublishedLsn().equals(floor)) {
                Thread.sleep(200);
                continue;
            }
            if (lag.measure(followerDb, capture.lastPublishedLsn()).caughtUp()) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private void progress(DemoWorkload w, CaptureService capture, ApplierService applier, ApplyLag lag,
                          Connection leaderDb, Connection followerDb) throws SQLException {
        out.printf("  leader commits %6d | captured %7d events (LSN %s) | applied %7d | apply lag %s | slot lag %s%n",
                w.commits(), capture.publishedCount(), capture.lastPublishedLsn(), applier.appliedCount(),
                lag.measure(followerDb, capture.lastPublishedLsn()).describe(), slotLag(leaderDb));
    }

    private static String slotLag(Connection leaderDb) throws SQLException {
        try (Statement s = leaderDb.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)) "
                        + "FROM pg_replication_slots WHERE slot_name = 'replog_demo'")) {
            return rs.next() ? rs.getString(1) : "-";
        }
    }

    private void keepRunning(EmbeddedStack stack) throws InterruptedException {
        out.println();
        out.println("Everything keeps running. Write to the leader and watch the follower:");
        out.printf("  leader   psql -h %s -p %d -U %s %s%n", stack.leader().host(), stack.leader().port(),
                stack.leader().user(), stack.leader().database());
        out.printf("  follower psql -h %s -p %d -U %s %s%n", stack.follower().host(), stack.follower().port(),
                stack.follower().user(), stack.follower().database());
        out.printf("  JDBC     %s (leader), %s (follower)%n", stack.leader().jdbcUrl(), stack.follower().jdbcUrl());
        out.printf("  Kafka    %s (topics demo.shop.*)%n", stack.kafka().bootstrapServers());
        out.println("Press Ctrl-C to stop.");
        Thread.currentThread().join();
    }

    static CaptureSettings captureSettings(PostgresServer leader, TopicNames topics, KafkaSettings kafka) {
        return new CaptureSettings(
                new LeaderConnection(leader.host(), leader.port(), leader.database(), leader.user(), leader.password(), "disable"),
                "replog_demo", "replog_demo", DemoWorkload.TABLES, "initial", Duration.ofSeconds(2),
                topics, new TopicSettings(1, (short) 1, -1), kafka);
    }

    static ApplierSettings applierSettings(PostgresServer follower, TopicNames topics, KafkaSettings kafka) {
        return new ApplierSettings(
                new FollowerConnection(follower.jdbcUrl(), follower.user(), follower.password(), "disable", 4),
                "replog-demo", 2000, Duration.ofMillis(200), topics, kafka);
    }
}
