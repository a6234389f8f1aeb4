package dev.replog.embedded;

import java.nio.file.Path;
import java.time.Duration;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft, broker and controller combined) running inside this JVM, owning
 * the directory {@code baseDir/kafka}.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaNode node;
    private final KafkaRaftServer server;
    private boolean closed;

    private KafkaBroker(KafkaNode node, KafkaRaftServer server) {
        this.node = node;
        this.server = server;
    }

    /** Starts a fresh broker and returns once it accepts topics and records. */
    public static KafkaBroker start(Path baseDir) {
        return start(baseDir, null);
    }

    /**
     * {@link #start(Path)} of a broker that requires what {@code security} says of its clients
     * (null: nothing, plaintext). Its {@link #bootstrapServers()} are then the secured clients' listener.
     */
    public static KafkaBroker start(Path baseDir, KafkaSecurity security) {
        long started = System.nanoTime();
        KafkaNode node = KafkaNode.create(baseDir.resolve("kafka"), security);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(node.properties, false), Time.SYSTEM);
        KafkaBroker broker = new KafkaBroker(node, server);
        try {
            server.startup();
            node.awaitReady(READY_TIMEOUT);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        LOG.info("Kafka ready on {} in {} ms", node.bootstrapServers(),
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        return broker;
    }

    public String bootstrapServers() {
        return node.bootstrapServers();
    }

    /** Shuts the broker down and deletes its directory; safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            Dirs.deleteRecursively(node.dir);
        }
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers() + "]";
    }
}
