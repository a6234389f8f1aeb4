package dev.replog.bench;

import dev.replog.embedded.ChildJvm;
import dev.replog.schemas.LogFormat;
import dev.replog.schemas.TableId;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Replog as an operator runs it: {@code replog capture} and {@code replog apply}, each a separate
 * JVM started from this jar with one properties file, leader → capture → Kafka → applier →
 * follower. Separate processes let the bench read each one's peak resident memory, and keep their
 * garbage collection and JIT out of the bench's own JVM.
 */
final class ReplogPipeline implements Replication {

    /** How the child JVMs are started: the replog main class, their heap, where they write; and capture's snapshot method. */
    record Launch(String mainClass, String maxHeap, List<String> javaOptions, Path workDir, String bootstrapServers,
                  int partitions, LogFormat logFormat, String snapshotMethod) {
    }

    private final ReplicationKind kind;
    private final BenchDatabase leader;
    private final String name;
    private final String bootstrapServers;
    private final ChildJvm capture;
    private final ChildJvm applier;

    private ReplogPipeline(ReplicationKind kind, BenchDatabase leader, String name, String bootstrapServers, ChildJvm capture,
                           ChildJvm applier) {
        this.kind = kind;
        this.leader = leader;
        this.name = name;
        this.bootstrapServers = bootstrapServers;
        this.capture = capture;
        this.applier = applier;
    }

    /**
     * Writes the configuration and starts both processes. {@code jvmOptions} go to both (e.g. a
     * flight recording, whose file name gets the process name substituted for {@code %p}).
     */
    static ReplogPipeline start(Launch launch, ReplicationKind kind, BenchDatabase leader, BenchDatabase follower, List<TableId> tables,
                                List<String> jvmOptions) {
        String name = leader.name();
        Path config = writeConfig(launch, kind.applyMode(), name, leader, follower, tables);
        ChildJvm capture = ChildJvm.start(launch.mainClass(), options(jvmOptions, "capture"),
                List.of("capture", "--config", config.toString()), launch.maxHeap(), launch.workDir().resolve(name + "-capture.log"));
        ChildJvm applier;
        try {
            applier = ChildJvm.start(launch.mainClass(), options(jvmOptions, "applier"),
                    List.of("apply", "--config", config.toString()), launch.maxHeap(), launch.workDir().resolve(name + "-apply.log"));
        } catch (RuntimeException e) {
            capture.close();
            throw e;
        }
        return new ReplogPipeline(kind, leader, name, launch.bootstrapServers(), capture, applier);
    }

    private static List<String> options(List<String> jvmOptions, String process) {
        return jvmOptions.stream().map(o -> o.replace("%p", process)).collect(Collectors.toList());
    }

    private static Path writeConfig(Launch launch, String applyMode, String name, BenchDatabase leader, BenchDatabase follower,
                                    List<TableId> tables) {
        // Product defaults everywhere except what a single-broker, loopback setup needs.
        List<String> lines = List.of(
                "kafka.bootstrap.servers=" + launch.bootstrapServers(),
                "topics.prefix=" + name,
                "topics.partitions=" + launch.partitions(),
                "topics.replication.factor=1",
                "leader.host=" + leader.server().host(),
                "leader.port=" + leader.server().port(),
                "leader.database=" + leader.name(),
                "leader.user=" + leader.server().user(),
                "leader.sslmode=disable",
                "capture.tables=" + tables.stream().map(TableId::toString).collect(Collectors.joining(",")),
                "capture.slot.name=" + name,
                "capture.publication.name=" + name,
                "capture.snapshot.method=" + launch.snapshotMethod(),
                "follower.jdbc.url=jdbc:postgresql://" + follower.server().host() + ":" + follower.server().port() + "/"
                        + follower.name(),
                "follower.user=" + follower.server().user(),
                "follower.sslmode=disable",
                "apply.group.id=" + name,
                "apply.mode=" + applyMode,
                "log.format=" + launch.logFormat(),
                "capture.http.listen=127.0.0.1:0",
                "apply.http.listen=127.0.0.1:0",
                "startup.timeout.seconds=120");
        Path file = launch.workDir().resolve(name + ".properties");
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    @Override
    public ReplicationKind kind() {
        return kind;
    }

    @Override
    public void checkAlive() {
        if (!capture.isAlive()) {
            throw new BenchFailure("replog capture exited; last output:\n" + capture.tail(30), null);
        }
        if (!applier.isAlive()) {
            throw new BenchFailure("replog apply exited; last output:\n" + applier.tail(30), null);
        }
    }

    @Override
    public List<MemoryFigure> peakMemory(String workload) {
        List<MemoryFigure> out = new ArrayList<>();
        add(out, workload, kind, "capture", PeakMemory.of(capture.pid()));
        add(out, workload, kind, "applier", PeakMemory.of(applier.pid()));
        return out;
    }

    @Override
    public Map<String, Long> processes() {
        Map<String, Long> named = new LinkedHashMap<>();
        named.put("capture", capture.pid());
        named.put("applier", applier.pid());
        return named;
    }

    private static void add(List<MemoryFigure> out, String workload, ReplicationKind kind, String process, OptionalLong bytes) {
        bytes.ifPresent(b -> out.add(new MemoryFigure(workload, kind, process, b)));
    }

    /** Stops both processes (SIGTERM: a flight recording is written), drops the slot and the run's topics. */
    @Override
    public void close() {
        try {
            applier.close();
        } finally {
            capture.close();
        }
        try {
            leader.queryLong("SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name = ?", name);
        } catch (SQLException e) {
            throw new BenchFailure("cannot drop replication slot " + name + ": " + e.getMessage(), e);
        }
        deleteTopics();
    }

    /** The log of a 1,000,000-row run is over a gigabyte: remove it so runs do not fill the disk. */
    private void deleteTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(name + ".") || t.endsWith("." + name) || t.equals(name))
                    .collect(Collectors.toSet());
            admin.deleteTopics(topics).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new BenchFailure("cannot delete topics of " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
