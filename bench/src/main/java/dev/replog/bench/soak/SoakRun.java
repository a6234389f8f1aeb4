package dev.replog.bench.soak;

import dev.replog.applier.verify.TableComparison;
import dev.replog.bench.PeakMemory;
import dev.replog.bench.ServiceLogs;
import dev.replog.embedded.ChildJvm;
import dev.replog.embedded.KafkaBrokerProcess;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.TableId;
import dev.replog.testkit.InvariantSampler;
import dev.replog.testkit.PipelineProperties;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Replog as a busy production database meets it: a snapshot of many rows, several concurrent
 * clients over five tables of several partitions each, capture and a {@code row} and a
 * {@code transactional} applier each in its own JVM at the README's heap, and in the middle of the
 * load the Kafka broker down for longer than every client timeout, then each applier SIGKILLed and
 * restarted. Afterwards both followers must equal the leader, the transactional follower must never
 * have shown a state the leader did not have, and no service may have died by itself.
 */
public final class SoakRun {

    private static final List<String> SERVICES = List.of("capture", "apply-row", "apply-transactional");

    private final SoakOptions o;
    private final SoakWorkload workload;

    public SoakRun(SoakOptions options) {
        this.o = options;
        this.workload = new SoakWorkload(200, options.snapshotRows());
    }

    /** Runs against a leader database and two follower databases that exist and are empty. */
    public SoakResult run(PostgresServer leader, String leaderDb, PostgresServer follower, String rowDb, String txDb)
            throws Exception {
        workload.create(leader.jdbcUrl(leaderDb));
        List<String> faults = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Long> peaks = new ConcurrentHashMap<>();
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(o.dir());
             InvariantSampler rowReader = InvariantSampler.start("soak-row", follower.jdbcUrl(rowDb), workload.invariantCheck());
             InvariantSampler txReader = InvariantSampler.start("soak-tx", follower.jdbcUrl(txDb), workload.invariantCheck())) {
            Path rowConfig = config("row", broker.bootstrapServers(), leader, leaderDb, follower, rowDb);
            Path txConfig = config("transactional", broker.bootstrapServers(), leader, leaderDb, follower, txDb);
            Map<String, ChildJvm> services = new LinkedHashMap<>();
            services.put("capture", service("capture", rowConfig));
            services.put("apply-row", service("apply", rowConfig, "apply-row"));
            services.put("apply-transactional", service("apply", txConfig, "apply-transactional"));
            ExecutorService clients = Executors.newFixedThreadPool(o.clients() + 1);
            AtomicBoolean running = new AtomicBoolean(true);
            try {
                clients.submit(() -> samplePeaks(services, peaks, running));
                List<CompletableFuture<Long>> load = new ArrayList<>();
                for (int i = 0; i < o.clients(); i++) {
                    long seed = 7919L * i;
                    load.add(CompletableFuture.supplyAsync(() -> client(leader, leaderDb, seed, running), clients));
                }
                long started = System.nanoTime();
                injectFaults(broker, services, faults, problems, load);
                running.set(false);
                long transactions = 0;
                for (CompletableFuture<Long> f : load) {
                    transactions += f.join();
                }
                double loadSeconds = (System.nanoTime() - started) / 1e9;
                long stopped = System.nanoTime();
                boolean equal = awaitEqual(leader, leaderDb, follower, List.of(rowDb, txDb), services, problems);
                double catchUp = (System.nanoTime() - stopped) / 1e9;
                if (!equal) {
                    problems.add("followers not equal to the leader " + o.catchUp().toSeconds() + " s after the load: row "
                            + differences(leader, leaderDb, follower, rowDb) + "; transactional "
                            + differences(leader, leaderDb, follower, txDb));
                }
                if (txReader.violations() > 0) {
                    problems.add("transactional follower showed states the leader never had: " + txReader.summary());
                }
                if (txReader.samples() < 20) {
                    problems.add("transactional follower hardly sampled: " + txReader.summary());
                }
                Map<String, Long> errors = new LinkedHashMap<>();
                for (String s : SERVICES) {
                    errors.put(s, ServiceLogs.errorLines(o.dir().resolve(s + ".log")));
                    if (ServiceLogs.outOfMemory(o.dir().resolve(s + ".log"))) {
                        problems.add(s + " ran out of memory at -Xmx" + o.heap());
                    }
                }
                running.set(false);
                return new SoakResult(o, transactions, loadSeconds, catchUp, rowReader.summary(), txReader.summary(),
                        txReader.violations(), txReader.samples(), new LinkedHashMap<>(peaks), errors, faults, problems);
            } finally {
                running.set(false);
                clients.shutdownNow();
                for (ChildJvm s : services.values()) {
                    s.close();
                }
            }
        }
    }

    /**
     * The load runs for {@code o.load()}; at 30% of it the broker goes down for {@code brokerOutage},
     * at 60% and 75% the transactional and the row applier are killed and started again. Between
     * those moments every service must stay alive on its own.
     */
    private void injectFaults(KafkaBrokerProcess broker, Map<String, ChildJvm> services, List<String> faults,
                              List<String> problems, List<CompletableFuture<Long>> load) throws InterruptedException {
        long start = System.nanoTime();
        long total = o.load().toNanos();
        waitUntil(start + total * 3 / 10, services, problems, load);
        broker.kill();
        TimeUnit.NANOSECONDS.sleep(o.brokerOutage().toNanos());
        broker.restart();
        faults.add("broker down " + o.brokerOutage().toSeconds() + " s (client timeout " + o.clientTimeout().toSeconds() + " s)");
        waitUntil(start + total * 6 / 10, services, problems, load);
        services.get("apply-transactional").kill();
        services.get("apply-transactional").restart();
        faults.add("apply-transactional SIGKILLed and restarted");
        waitUntil(start + total * 75 / 100, services, problems, load);
        services.get("apply-row").kill();
        services.get("apply-row").restart();
        faults.add("apply-row SIGKILLed and restarted");
        waitUntil(start + total, services, problems, load);
    }

    /** Sleeps until a moment, checking every second that no service died and no client failed. */
    private static void waitUntil(long nanoTime, Map<String, ChildJvm> services, List<String> problems,
                                  List<CompletableFuture<Long>> load) throws InterruptedException {
        while (System.nanoTime() - nanoTime < 0) {
            TimeUnit.MILLISECONDS.sleep(Math.min(1000, Math.max(1, (nanoTime - System.nanoTime()) / 1_000_000)));
            services.forEach((name, jvm) -> {
                if (!jvm.isAlive()) {
                    problems.add(name + " died by itself:\n" + jvm.tail(20));
                    jvm.restart();
                }
            });
            for (CompletableFuture<Long> f : load) {
                if (f.isCompletedExceptionally()) {
                    f.join(); // a leader client failed: the run means nothing
                }
            }
        }
    }

    private long client(PostgresServer leader, String db, long seed, AtomicBoolean running) {
        try (Connection c = leader.connect(db)) {
            return workload.client(c, new Random(seed), running::get, o.perClientTps());
        } catch (SQLException e) {
            throw new IllegalStateException("leader client failed: " + e.getMessage(), e);
        }
    }

    /** The highest resident memory each service reached, over all its restarts. */
    private static void samplePeaks(Map<String, ChildJvm> services, Map<String, Long> peaks, AtomicBoolean running) {
        while (running.get()) {
            services.forEach((name, jvm) -> {
                OptionalLong hwm = PeakMemory.of(jvm.pid());
                if (hwm.isPresent()) {
                    peaks.merge(name, hwm.getAsLong(), Math::max);
                }
            });
            try {
                TimeUnit.MILLISECONDS.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private boolean awaitEqual(PostgresServer leader, String leaderDb, PostgresServer follower, List<String> followerDbs,
                               Map<String, ChildJvm> services, List<String> problems) throws InterruptedException {
        long deadline = System.nanoTime() + o.catchUp().toNanos();
        while (System.nanoTime() - deadline < 0) {
            boolean all = true;
            for (String db : followerDbs) {
                all &= equal(leader, leaderDb, follower, db);
            }
            if (all) {
                return true;
            }
            waitUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500), services, problems, List.of());
        }
        return false;
    }

    private static boolean equal(PostgresServer leader, String leaderDb, PostgresServer follower, String followerDb) {
        try (Connection l = leader.connect(leaderDb); Connection f = follower.connect(followerDb)) {
            for (TableId t : SoakWorkload.TABLES) {
                if (!TableComparison.compare(l, f, t).matches()) {
                    return false;
                }
            }
            return true;
        } catch (SQLException e) {
            return false; // a table not created on the follower yet
        }
    }

    private static String differences(PostgresServer leader, String leaderDb, PostgresServer follower, String followerDb) {
        try (Connection l = leader.connect(leaderDb); Connection f = follower.connect(followerDb)) {
            List<String> out = new ArrayList<>();
            for (TableId t : SoakWorkload.TABLES) {
                out.add(TableComparison.compare(l, f, t).describe());
            }
            return out.toString();
        } catch (SQLException e) {
            return "not comparable: " + e.getMessage();
        }
    }

    private ChildJvm service(String command, Path config) {
        return service(command, config, command);
    }

    private ChildJvm service(String command, Path config, String name) {
        return ChildJvm.start(o.mainClass(), List.of("-XX:+ExitOnOutOfMemoryError"), List.of(command, "--config", config.toString()),
                o.heap(), o.dir().resolve(name + ".log"));
    }

    private Path config(String mode, String bootstrap, PostgresServer leader, String leaderDb, PostgresServer follower,
                        String followerDb) throws IOException {
        String tables = SoakWorkload.TABLES.stream().map(Object::toString).collect(java.util.stream.Collectors.joining(","));
        return PipelineProperties.write(o.dir().resolve("soak-" + mode + ".properties"), bootstrap, leader, leaderDb, follower,
                followerDb, tables, o.partitions(), mode, List.of("kafka.client.timeout.ms=" + o.clientTimeout().toMillis(),
                        "log.format=" + o.logFormat()));
    }
}
