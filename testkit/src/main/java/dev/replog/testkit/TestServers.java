package dev.replog.testkit;

import dev.replog.embedded.KafkaBroker;
import dev.replog.embedded.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leader PostgreSQL, one follower PostgreSQL and one Kafka broker per JVM, started on first
 * use and stopped by a shutdown hook, so every test class in a surefire fork shares them.
 * Tests isolate themselves with {@link TestDatabase#fresh} and topic names of their own.
 */
public final class TestServers {

    private static final Logger LOG = LoggerFactory.getLogger(TestServers.class);

    private static TestServers instance;
    private static RuntimeException startFailure;

    private final Path baseDir;
    private final PostgresServer leader;
    private final PostgresServer follower;
    private final KafkaBroker kafka;

    private TestServers(Path baseDir, PostgresServer leader, PostgresServer follower, KafkaBroker kafka) {
        this.baseDir = baseDir;
        this.leader = leader;
        this.follower = follower;
        this.kafka = kafka;
    }

    /** The JVM's servers, started by the first caller. */
    public static synchronized TestServers get() {
        if (startFailure != null) {
            // Every later test class would otherwise wait through the same failed start again.
            throw new IllegalStateException("test servers failed to start earlier in this JVM", startFailure);
        }
        if (instance == null) {
            try {
                instance = start();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "test-servers-shutdown"));
        }
        return instance;
    }

    public PostgresServer leader() {
        return leader;
    }

    public PostgresServer follower() {
        return follower;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    private static TestServers start() {
        long started = System.nanoTime();
        Path baseDir = createBaseDir();
        // Kafka starts alongside PostgreSQL. The follower waits for the leader: it then links the
        // binaries the leader unpacked instead of unpacking its own, which on two cores is faster
        // than two unpackings competing with Kafka for the CPU.
        ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "test-servers-start");
            thread.setDaemon(true);
            return thread;
        });
        CompletableFuture<KafkaBroker> kafka = CompletableFuture.supplyAsync(() -> KafkaBroker.start(baseDir), executor);
        CompletableFuture<PostgresServer> leader =
                CompletableFuture.supplyAsync(() -> PostgresServer.start("leader", baseDir), executor);
        CompletableFuture<PostgresServer> follower =
                leader.thenApplyAsync(leaderServer -> PostgresServer.start("follower", baseDir), executor);
        try {
            CompletableFuture.allOf(leader, follower, kafka).join();
        } catch (CompletionException e) {
            // Close whatever did start before reporting the failure.
            leader.thenAccept(PostgresServer::close);
            follower.thenAccept(PostgresServer::close);
            kafka.thenAccept(KafkaBroker::close);
            deleteQuietly(baseDir);
            throw new IllegalStateException("cannot start the test servers", e.getCause());
        } finally {
            executor.shutdown();
        }
        TestServers servers = new TestServers(baseDir, leader.join(), follower.join(), kafka.join());
        LOG.info("Test servers ready in {} ms: leader {}, follower {}, kafka {}",
                Duration.ofNanos(System.nanoTime() - started).toMillis(),
                servers.leader.port(), servers.follower.port(), servers.kafka.bootstrapServers());
        return servers;
    }

    private void stop() {
        // Each close is attempted even if another fails: a leaked postmaster outlives the JVM.
        for (AutoCloseable server : new AutoCloseable[] {kafka, leader, follower}) {
            try {
                server.close();
            } catch (Exception e) {
                LOG.warn("Could not stop {}", server, e);
            }
        }
        deleteQuietly(baseDir);
    }

    private static Path createBaseDir() {
        try {
            // A short path: PostgreSQL's socket path must stay under ~100 bytes.
            return Files.createTempDirectory("replog-test-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not delete {}", dir, e);
        }
    }
}
