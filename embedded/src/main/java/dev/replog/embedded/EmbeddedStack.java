package dev.replog.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * The embedded default: a leader and a follower PostgreSQL and a single-node KRaft Kafka broker,
 * all in this process, on loopback ports chosen free at start, under one temporary directory that
 * is removed when the stack is closed.
 */
public final class EmbeddedStack implements AutoCloseable {

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

    /** Starts the three servers in parallel (they take seconds each). */
    public static EmbeddedStack start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("replog-demo-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the embedded servers", e);
        }
        CompletableFuture<PostgresServer> leader = CompletableFuture.supplyAsync(() -> PostgresServer.start("leader", dir));
        CompletableFuture<PostgresServer> follower = CompletableFuture.supplyAsync(() -> PostgresServer.start("follower", dir));
        CompletableFuture<KafkaBroker> kafka = CompletableFuture.supplyAsync(() -> KafkaBroker.start(dir.resolve("kafka")));
        return new EmbeddedStack(dir, leader.join(), follower.join(), kafka.join());
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

    @Override
    public void close() {
        kafka.close();
        follower.close();
        leader.close();
        Dirs.deleteRecursively(dir);
    }
}
