package dev.replog.bench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.bench.BenchFailure;
import dev.replog.bench.MachineInfo;
import dev.replog.bench.PeakMemory;
import dev.replog.bench.Poll;
import dev.replog.bench.ProcessCpu;
import dev.replog.bench.ServiceLogs;
import dev.replog.embedded.ChildJvm;
import dev.replog.embedded.Dirs;
import dev.replog.embedded.FreePort;
import dev.replog.embedded.KafkaBrokerProcess;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.Lsn;
import dev.replog.serve.client.FollowerAwait;
import dev.replog.serve.client.ReplogReadClient;
import dev.replog.testkit.PipelineProperties;
import dev.replog.testkit.Sql;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The serve bench on servers of its own: a table of {@code rows} rows on the leader, snapshotted by
 * capture (a child JVM) into a child-JVM broker, served by a group of {@code replog serve} child JVMs;
 * then lookups against the first instance and against all of them in turn, and the commit-to-servable
 * lag under a steady single-row update load, with the CPU each process used in each phase.
 */
final class ServeRun {

    static final String TABLE = "public.kv";
    private static final Duration STARTUP = Duration.ofSeconds(600);
    private static final Duration POLL = Duration.ofMillis(2);
    private static final Duration VISIBLE_TIMEOUT = Duration.ofSeconds(30);
    /** How long a serve instance may leave its own status unanswered (10 s a request) before it counts as stuck. */
    private static final Duration SILENT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServeBenchOptions o;
    private final PrintStream console;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, ChildJvm> services = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    ServeRun(ServeBenchOptions options, PrintStream console) {
        this.o = options;
        this.console = console;
    }

    ServeBenchResult run(PostgresServer leader, String db) throws Exception {
        String leaderUrl = leader.jdbcUrl(db);
        console.printf("serve: loading %,d rows into %s ...%n", o.rows(), TABLE);
        Sql.execute(leaderUrl,
                "CREATE TABLE kv (id bigint PRIMARY KEY, value bigint NOT NULL, payload text NOT NULL)",
                "INSERT INTO kv SELECT g, 0, md5(g::text) FROM generate_series(1, " + o.rows() + ") g");
        Lsn loaded = Lsn.parse(Sql.queryRows(leaderUrl, "SELECT pg_current_wal_lsn()::text").get(0).get(0));
        String machine = MachineInfo.describe(Sql.queryRows(leaderUrl, "SELECT version()").get(0).get(0)).summary();
        List<String> notes = new ArrayList<>();
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(o.dir())) {
            List<String> base = PipelineProperties.captureLines(broker.bootstrapServers(), leader, db, TABLE, o.partitions());
            long captureStarted = System.nanoTime();
            services.put("capture", service("capture", write("capture", base)));
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < o.instances(); i++) {
                String name = "serve-" + (char) ('a' + i);
                String address = "127.0.0.1:" + FreePort.pick();
                List<String> lines = new ArrayList<>(base);
                lines.addAll(List.of("serve.tables=" + TABLE, "serve.group.id=" + db + "-serve",
                        "serve.state.dir=" + o.dir().resolve(name + "-state"), "serve.http.listen=" + address,
                        "serve.standby.replicas=" + o.standbys(), "serve.rocksdb.cache.bytes=" + o.cacheBytes()));
                services.put(name, service("serve", write(name, lines)));
                addresses.add(address);
            }
            try {
                Map<String, Long> roots = new LinkedHashMap<>();
                roots.put("leader PostgreSQL", leader.pid());
                roots.put("kafka broker", broker.pid());
                services.forEach((name, jvm) -> roots.put(name, jvm.pid()));
                roots.put("bench driver", ProcessHandle.current().pid());
                ProcessCpu cpu = ProcessCpu.of(roots);

                console.println("serve: waiting until the group has applied the snapshot ...");
                Map<String, Long> silentSince = new LinkedHashMap<>();
                Runnable answering = () -> answering(addresses, silentSince);
                Poll.until("every serve instance is ready", STARTUP, Duration.ofMillis(250), answering,
                        () -> addresses.stream().allMatch(a -> get(a, "/health/ready").status == 200));
                FollowerAwait.Follower group = FollowerAwait.serveGroup(addresses);
                long servable = Poll.until("the serve group has applied " + loaded, STARTUP, Duration.ofMillis(250), answering,
                        () -> {
                            Lsn applied = group.appliedLsn();
                            return applied != null && applied.compareTo(loaded) >= 0;
                        });
                double servableSeconds = (servable - captureStarted) / 1e9;
                String a = addresses.get(0);
                List<String> assignment = assignment(a);
                if (!awaitAllAnswerable(a)) {
                    notes.add(a + " did not hold every partition answerable (active or caught-up standby) within 60 s: "
                            + "lookups of the others are forwarded");
                }

                LookupLoad lookups = new LookupLoad(TABLE, o.rows());
                List<PhaseCpu> phases = new ArrayList<>();
                console.printf("serve: %d s warm-up against every instance, then %d s of lookups from %d clients against %s ...%n",
                        o.warmUp().toSeconds(), o.duration().toSeconds(), o.clients(), a);
                lookups.run("warm-up", addresses, o.clients(), o.warmUp());
                LookupLoad.Outcome onA = measured(cpu, "lookups, all to A", phases,
                        () -> lookups.run("all to " + a, List.of(a), o.clients(), o.duration()));
                console.printf("serve: %d s of lookups against %s in turn ...%n", o.duration().toSeconds(), addresses);
                LookupLoad.Outcome roundRobin = measured(cpu, "lookups, round-robin", phases,
                        () -> lookups.run("round-robin over " + addresses.size() + " instances", addresses, o.clients(), o.duration()));
                if (onA.forwarded() == 0 && o.standbys() >= o.instances() - 1) {
                    notes.add("no lookup was forwarded: with " + o.instances() + " instances and " + o.standbys() + " standby every "
                            + "instance holds every partition, active or standby, and a caught-up standby answers itself");
                }
                for (LookupLoad.Outcome l : List.of(onA, roundRobin)) {
                    if (l.errorCount() * 100 > l.errorCount() + l.lookups()) {
                        problems.add("more than 1% of the lookups (" + l.label() + ") failed: " + l.errors() + ", first: " + l.firstError());
                    }
                }

                console.printf("serve: %d s warm-up, then %d s of single-row updates at %d tps on the leader, one write in %d "
                        + "watched on serve ...%n", o.warmUp().toSeconds(), o.duration().toSeconds(), o.writerTps(), o.sampleEvery());
                CommitToServable.Outcome lag;
                try (Connection writer = leader.connect(db); ReplogReadClient client = ReplogReadClient.of(addresses)) {
                    CommitToServable load = new CommitToServable(TABLE, o.rows(), POLL, VISIBLE_TIMEOUT,
                            Duration.ofMillis((long) ServeBenchResult.SERVABLE_P99_MS));
                    load.run(writer, client, o.writerTps(), o.warmUp(), 0);
                    lag = measured(cpu, "writer " + o.writerTps() + " tps, lag polls", phases,
                            () -> load.run(writer, client, o.writerTps(), o.duration(), o.sampleEvery()));
                }
                if (lag.notVisible() > 0) {
                    problems.add(lag.notVisible() + " sampled writes were not servable within " + VISIBLE_TIMEOUT.toSeconds() + " s");
                }
                if (lag.lag().count() == 0) {
                    problems.add("no sampled write became servable");
                }
                for (int i = 0; i < addresses.size(); i++) {
                    if (get(addresses.get(i), "/v1/status").status != 200) {
                        problems.add(stuck("serve-" + (char) ('a' + i), addresses.get(i)));
                    }
                }

                Map<String, Long> peaks = new LinkedHashMap<>();
                services.forEach((name, jvm) -> PeakMemory.of(jvm.pid()).ifPresent(b -> peaks.put(name, b)));
                Map<String, Long> errors = new LinkedHashMap<>();
                services.keySet().forEach(name -> errors.put(name, ServiceLogs.errorLines(log(name))));
                List<String> named = new ArrayList<>();
                for (int i = 0; i < addresses.size(); i++) {
                    named.add((char) ('A' + i) + " = serve-" + (char) ('a' + i) + " on " + addresses.get(i));
                }
                // problems stays open: closing the services below may still add one (a service that ran out of memory)
                return new ServeBenchResult(o, machine, String.join(", ", named), servableSeconds, loaded.toString(),
                        assignment, onA, roundRobin, lag, phases, peaks, errors, notes, problems);
            } finally {
                List<String> names = new ArrayList<>(services.keySet());
                for (int i = names.size() - 1; i >= 0; i--) { // the serve instances first, capture last
                    long stopping = System.nanoTime();
                    services.get(names.get(i)).close();
                    console.printf("serve: %s stopped in %.1f s%n", names.get(i), (System.nanoTime() - stopping) / 1e9);
                }
                for (String name : names) {
                    if (ServiceLogs.outOfMemory(log(name))) {
                        problems.add(name + " ran out of memory at -Xmx" + o.heap());
                    }
                    if (name.startsWith("serve-")) {
                        Dirs.deleteRecursively(o.dir().resolve(name + "-state"));
                    }
                }
            }
        }
    }

    /** Runs one phase, noting the CPU each process used during it; every service must still run after it. */
    private <T> T measured(ProcessCpu cpu, String phase, List<PhaseCpu> phases, Callable<T> work) throws Exception {
        ProcessCpu.Snapshot before = cpu.snapshot();
        long started = System.nanoTime();
        T outcome = work.call();
        phases.add(PhaseCpu.of(phase, cpu.snapshot().minus(before), (System.nanoTime() - started) / 1e9));
        guard();
        return outcome;
    }

    /** Every service must still run: one that died ends the run, with its last words. */
    private void guard() {
        services.forEach((name, jvm) -> {
            if (!jvm.isAlive()) {
                throw new BenchFailure(name + " died (exit code " + jvm.exitCode() + "); last lines of " + log(name) + ":\n"
                        + jvm.tail(20), null);
            }
        });
    }

    /**
     * Every service must still run, and every serve instance answer its own status: one that has not
     * answered for a minute is stuck (the wait would otherwise last until its timeout).
     */
    private void answering(List<String> addresses, Map<String, Long> silentSince) {
        guard();
        for (int i = 0; i < addresses.size(); i++) {
            String address = addresses.get(i);
            if (get(address, "/v1/status").status != 0) {
                silentSince.remove(address);
            } else if (System.nanoTime() - silentSince.computeIfAbsent(address, a -> System.nanoTime()) > SILENT.toNanos()) {
                throw new BenchFailure(stuck("serve-" + (char) ('a' + i), address), null);
            }
        }
    }

    /** What an instance that stopped answering is doing: its threads, dumped next to its log. */
    private String stuck(String name, String address) {
        Path dump = o.dir().resolve(name + "-threads.txt");
        String found = "";
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(services.get(name).pid()), "Thread.print").redirectErrorStream(true)
                    .redirectOutput(dump.toFile()).start();
            if (jcmd.waitFor(30, TimeUnit.SECONDS) && Files.readString(dump).contains("Java-level deadlock")) {
                found = ": its threads are in a Java-level deadlock";
            }
        } catch (IOException e) {
            found = " (no thread dump: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return name + " (" + address + ") stopped answering /v1/status" + found + "; threads in " + dump;
    }

    /** Which instance is active, and which standby, for each partition (from the group's metadata). */
    private List<String> assignment(String instance) {
        JsonNode t = get(instance, "/v1/metadata").body.path("tables").path(TABLE);
        List<String> out = new ArrayList<>();
        for (int p = 0; p < t.path("partitions").asInt(); p++) {
            out.add("partition " + p + ": active " + t.path("active").path(Integer.toString(p)).asText("none")
                    + ", standby " + t.path("standbys").path(Integer.toString(p)));
        }
        return out;
    }

    /** Waits until the instance answers every partition itself, so that lookups measure its steady state. */
    private boolean awaitAllAnswerable(String instance) {
        try {
            Poll.until(instance + " answers every partition itself", Duration.ofSeconds(60), Duration.ofMillis(250), this::guard,
                    () -> {
                        JsonNode parts = get(instance, "/v1/status").body.path("partitions");
                        int answerable = 0;
                        for (JsonNode p : parts) {
                            answerable += p.path("answerable").asBoolean() ? 1 : 0;
                        }
                        return answerable == o.partitions();
                    });
            return true;
        } catch (BenchFailure timedOut) {
            guard();
            return false;
        }
    }

    private record Reply(int status, JsonNode body) {
    }

    private Reply get(String instance, String pathAndQuery) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://" + instance + pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), JSON.readTree(r.body()));
        } catch (IOException e) {
            return new Reply(0, JSON.createObjectNode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchFailure("interrupted", e);
        }
    }

    private ChildJvm service(String command, Path config) {
        String name = config.getFileName().toString().replace(".properties", "");
        return ChildJvm.start(o.mainClass(), List.of("-XX:+ExitOnOutOfMemoryError"), List.of(command, "--config", config.toString()),
                o.heap(), log(name));
    }

    private Path write(String name, List<String> lines) throws IOException {
        return Files.write(o.dir().resolve(name + ".properties"), lines);
    }

    private Path log(String name) {
        return o.dir().resolve(name + ".log");
    }
}
