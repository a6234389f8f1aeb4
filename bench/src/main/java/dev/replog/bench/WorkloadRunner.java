package dev.replog.bench;

import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.TableId;

import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one workload through one kind of replication on fresh databases ({@code bench_<workload>_<kind>}
 * on both servers), and cleans up after it: whatever happens, the figures end up in the results,
 * as numbers or as FAIL.
 */
final class WorkloadRunner {

    private final PostgresServer leader;
    private final PostgresServer follower;
    private final ReplogPipeline.Launch launch;
    private final ProcessCpu cpu;
    private final Duration timeout;
    private final boolean profile;
    private final BenchResults results;
    private final PrintStream out;

    /** @param cpu the CPU accounting of the servers and the bench itself; each run adds its own processes */
    WorkloadRunner(PostgresServer leader, PostgresServer follower, ReplogPipeline.Launch launch, ProcessCpu cpu,
                   Duration timeout, boolean profile, BenchResults results, PrintStream out) {
        this.leader = leader;
        this.follower = follower;
        this.launch = launch;
        this.cpu = cpu;
        this.timeout = timeout;
        this.profile = profile;
        this.results = results;
        this.out = out;
    }

    void run(Workload workload, ReplicationKind kind) {
        String name = "bench_" + workload.name() + "_" + kind.label();
        BenchDatabase leaderDb = null;
        BenchDatabase followerDb = null;
        WorkloadRun run = null;
        try {
            leaderDb = BenchDatabase.create(leader, name);
            followerDb = BenchDatabase.create(follower, name);
            out.printf("  [%s/%s] preparing the leader ...%n", workload.name(), kind.label());
            workload.prepareLeader(leaderDb);
            leaderDb.execute(LagProbe.DDL);
            if (kind == ReplicationKind.NATIVE) {
                workload.prepareFollower(followerDb);
                followerDb.execute(LagProbe.DDL);
            }
            List<TableId> tables = new ArrayList<>(workload.tables());
            tables.add(new TableId("public", LagProbe.TABLE));
            ProcessCpu.Snapshot cpuBefore = cpu.snapshot();
            long started = System.nanoTime();
            try (Replication replication = start(kind, workload, leaderDb, followerDb, tables)) {
                run = new WorkloadRun(workload, leaderDb, followerDb, replication, started, timeout, results, out,
                        cpu.with(replication.processes()), cpuBefore);
                try {
                    workload.measure(run);
                } finally {
                    replication.peakMemory(workload.name()).forEach(results::add);
                }
            }
        } catch (Exception | AssertionError e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            out.printf("  [%s/%s] FAILED: %s%n", workload.name(), kind.label(), why);
            if (run == null) {
                workload.metrics().forEach(m -> results.add(Figure.failed(workload.name(), m, kind, why)));
            } else {
                run.failRemaining(why);
            }
        } finally {
            if (run != null) {
                run.close();
            }
            drop(leaderDb);
            drop(followerDb);
        }
    }

    private Replication start(ReplicationKind kind, Workload workload, BenchDatabase leaderDb, BenchDatabase followerDb,
                              List<TableId> tables) {
        if (kind == ReplicationKind.NATIVE) {
            return NativeReplication.start(leaderDb, followerDb, tables);
        }
        // %p becomes the process (capture or applier) in the file name; see ReplogPipeline. Row mode keeps
        // the file names of the runs before the transactional mode was benchmarked.
        List<String> jvmOptions = new ArrayList<>(launch.javaOptions());
        if (profile) {
            jvmOptions.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + launch.workDir().resolve(workload.name() + (kind == ReplicationKind.REPLOG ? "" : "-" + kind.label()) + "-%p.jfr"));
        }
        return ReplogPipeline.start(launch, kind, leaderDb, followerDb, tables, jvmOptions);
    }

    private void drop(BenchDatabase db) {
        if (db == null) {
            return;
        }
        try {
            db.drop();
        } catch (SQLException e) {
            out.printf("  could not drop database %s: %s%n", db.name(), e.getMessage());
        }
    }
}
