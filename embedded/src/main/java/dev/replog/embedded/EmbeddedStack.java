package dev.replog.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The embedded default: a leader and a follower PostgreSQL and a single-node KRaft Kafka broker,
 * all in this process, on loopback ports chosen free at start, under one temporary directory that
 * is removed when the stack is closed. Used by {@code replog demo} and shared by the tests.
 */
public final class EmbeddedStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);

    private final Path dir;
    private final PostgresServer leader;
    private final PostgresServer follower;
    private final KafkaBroker kafka;

    private EmbeddedStack(Path dir, PostgresServer leader, PostgresServer follower, KafkaBroker kafka) {
        this.dir = dir;
        this.leader = leader;
        this.follower = follower;
        this.kafka = kafka;
    }

    /** Starts the three servers under a new temporary directory whose name starts with {@code prefix}. */
    public static EmbeddedStack start(String prefix) {
        long started = System.nanoTime();
        Path dir;
        try {
            // A short path: PostgreSQL's socket path must stay under ~100 bytes.
            dir = Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the embedded servers", e);
        }
        // Kafka starts alongside PostgreSQL. The follower waits for the leader: it then links the
        // binaries the leader unpacked instead of unpacking its own, which on two cores is faster
        // than two unpackings competing with Kafka for the CPU.
        ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "embedded-stack-start");
            thread.setDaemon(true);
            return thread;
        });
        CompletableFuture<KafkaBroker> kafka = CompletableFuture.supplyAsync(() -> KafkaBroker.start(dir), executor);
        CompletableFuture<PostgresServer> leader = CompletableFuture.supplyAsync(() -> PostgresServer.start("leader", dir), executor);
        CompletableFuture<PostgresServer> follower = leader.thenApplyAsync(l -> PostgresServer.start("follower", dir), executor);
        try {
            CompletableFuture.allOf(leader, follower, kafka).join();
        } catch (CompletionException e) {
            // Close whatever did start before reporting the failure.
            leader.thenAccept(PostgresServer::close);
            follower.thenAccept(PostgresServer::close);
            kafka.thenAccept(KafkaBroker::close);
            Dirs.deleteRecursively(dir);
            throw new IllegalStateException("cannot start the embedded servers", e.getCause());
        } finally {
            executor.shutdown();
        }
        EmbeddedStack stack = new EmbeddedStack(dir, leader.join(), follower.join(), kafka.join());
        LOG.info("embedded servers ready in {} ms: leader {}, follower {}, kafka {}",
                Duration.ofNanos(System.nanoTime() - started).toMillis(), stack.leader.port(), stack.follower.port(),
                stack.kafka.bootstrapServers());
        return stack;
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

    public Path dir() {
        return dir;
    }

    /** Stops every server, each even if another fails (a leaked postmaster outlives the JVM), and deletes the directory. */
    @Override
    public void close() {
        for (AutoCloseable server : new AutoCloseable[] {kafka, leader, follower}) {
            try {
                server.close();
            } catch (Exception e) {
                LOG.warn("could not stop {}: {}", server, e.getMessage());
            }
        }
        Dirs.deleteRecursively(dir);
    }
}
