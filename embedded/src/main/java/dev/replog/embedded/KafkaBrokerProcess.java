package dev.replog.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The same single-node Kafka as {@link KafkaBroker}, but in a child JVM, so that tests can kill
 * it with SIGKILL and start it again on the same ports and log directory. Owns
 * {@code baseDir/kafka-process}; the child's output goes to {@code broker.out} there.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaNode node;
    private ChildJvm child;
    private boolean closed;

    private KafkaBrokerProcess(KafkaNode node) {
        this.node = node;
    }

    /** Formats a fresh node (in this JVM), starts the child and returns once it is ready. */
    public static KafkaBrokerProcess start(Path baseDir) {
        KafkaBrokerProcess broker = new KafkaBrokerProcess(KafkaNode.create(baseDir.resolve("kafka-process")));
        try {
            broker.child = ChildJvm.start("kafka.Kafka", List.of(broker.node.propertiesFile.toString()), "512m",
                    broker.node.dir.resolve("broker.out"));
            broker.awaitReady();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    public String bootstrapServers() {
        return node.bootstrapServers();
    }

    /** The child's process id, which changes on every restart. */
    public synchronized long pid() {
        return child.pid();
    }

    /** SIGKILL: no shutdown hooks, no flush beyond what the OS already holds. */
    public synchronized void kill() {
        child.kill();
    }

    /** Starts the child again on the same ports and log directory, stopping it cleanly first if it runs. */
    public synchronized void restart() {
        child.restart();
        awaitReady();
    }

    /** Stops the child (SIGTERM, then SIGKILL if it hangs) and deletes the directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (child != null) {
                child.close();
            }
        } finally {
            Dirs.deleteRecursively(node.dir);
        }
    }

    private void awaitReady() {
        long started = System.nanoTime();
        ChildJvm running = child;
        node.awaitListening(READY_TIMEOUT, () -> running.isAlive() ? null : "the broker process exited; last output:\n" + running.tail(40));
        node.awaitReady(READY_TIMEOUT);
        LOG.info("Kafka child process {} ready on {} in {} ms", child.pid(), bootstrapServers(),
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    @Override
    public String toString() {
        return "KafkaBrokerProcess[" + bootstrapServers() + "]";
    }
}
