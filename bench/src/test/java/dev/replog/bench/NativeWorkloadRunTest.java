package dev.replog.bench;

import dev.replog.schemas.TableId;
import dev.replog.testkit.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench's own machinery on real servers, small: a 2,000-row bulk insert through native
 * logical replication is measured and checked, and a follower that differs turns the figure into
 * FAIL. (Replog's side needs the cli's jar for its child JVMs; `replog bench` itself runs it.)
 */
class NativeWorkloadRunTest {

    @TempDir
    Path dir;

    private final BenchResults results = new BenchResults();
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();

    private WorkloadRunner runner(Duration timeout) {
        TestServers servers = TestServers.get();
        ProcessCpu cpu = ProcessCpu.of(Map.of("leader PostgreSQL", servers.leader().pid(),
                "follower PostgreSQL", servers.follower().pid(), "bench driver", ProcessHandle.current().pid()));
        return new WorkloadRunner(servers.leader(), servers.follower(),
                new ReplogPipeline.Launch("unused", "64m", List.of(), dir, "unused", 1, dev.replog.schemas.LogFormat.JSON, "debezium"), cpu, timeout, false, results,
                new PrintStream(output, true, StandardCharsets.UTF_8));
    }

    @Test
    void aSmallBulkInsertThroughNativeReplicationIsMeasuredAndMatches() {
        runner(Duration.ofSeconds(60)).run(new BulkInsertWorkload(2_000), ReplicationKind.NATIVE);

        Figure figure = results.find("insert", BulkInsertWorkload.RATE, ReplicationKind.NATIVE).orElseThrow();
        assertTrue(figure.ok() && figure.value() > 0, figure + "\n" + output);
        assertTrue(output.toString(StandardCharsets.UTF_8).contains("follower equals leader"), output.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theBulkInsertReportsTheCpuTimeOfEachServerAndTheCostPerRow() {
        // Enough rows that each server's share is many 10 ms clock ticks, not zero or one.
        runner(Duration.ofSeconds(120)).run(new BulkInsertWorkload(100_000), ReplicationKind.NATIVE);

        CpuFigure cpu = results.cpu().stream().filter(f -> f.phase().equals("bulk insert")).findFirst().orElseThrow();
        // Inserting and replicating 100,000 rows costs the leader and the follower some CPU, and the
        // machine was busy at least as long as the processes named.
        assertTrue(cpu.seconds().get("leader PostgreSQL") > 0 && cpu.seconds().get("follower PostgreSQL") > 0, cpu.toString());
        double named = cpu.seconds().values().stream().mapToDouble(Double::doubleValue).sum();
        // Processes and the machine are counted in separate ticks: allow their rounding.
        assertTrue(cpu.machineBusy() * 1.05 + 0.05 >= named, cpu.toString());
        assertEquals(100_000, cpu.units());
        assertTrue(cpu.busyMicrosPerUnit() > 0, cpu.toString());
    }

    @Test
    void aFollowerThatDiffersFromTheLeaderReportsFailInsteadOfAFigure() {
        runner(Duration.ofSeconds(5)).run(new DivergingWorkload(), ReplicationKind.NATIVE);

        Figure figure = results.find("insert", BulkInsertWorkload.RATE, ReplicationKind.NATIVE).orElseThrow();
        assertEquals(null, figure.value(), output.toString(StandardCharsets.UTF_8));
        assertTrue(figure.failure().contains("bench_insert"), figure.failure());
    }

    /** The bulk insert, but a trigger on the follower changes one row as the subscription applies it. */
    private static final class DivergingWorkload implements Workload {
        private final BulkInsertWorkload insert = new BulkInsertWorkload(1_000);

        @Override
        public String name() {
            return insert.name();
        }

        @Override
        public String title() {
            return insert.title();
        }

        @Override
        public List<Metric> metrics() {
            return insert.metrics();
        }

        @Override
        public List<TableId> tables() {
            return insert.tables();
        }

        @Override
        public void prepareLeader(BenchDatabase leader) throws Exception {
            insert.prepareLeader(leader);
        }

        @Override
        public void prepareFollower(BenchDatabase follower) throws Exception {
            insert.prepareFollower(follower);
            follower.execute("CREATE FUNCTION \"bench_diverge\"() RETURNS trigger LANGUAGE plpgsql AS "
                            + "$$BEGIN IF NEW.\"id\" = 5 THEN NEW.\"note\" := 'changed on the follower'; END IF; RETURN NEW; END$$",
                    "CREATE TRIGGER \"bench_diverge\" BEFORE INSERT ON \"bench_insert\" FOR EACH ROW EXECUTE FUNCTION \"bench_diverge\"()",
                    // The subscription's apply worker fires only ALWAYS triggers.
                    "ALTER TABLE \"bench_insert\" ENABLE ALWAYS TRIGGER \"bench_diverge\"");
        }

        @Override
        public void measure(WorkloadRun run) throws Exception {
            insert.measure(run);
        }
    }
}
