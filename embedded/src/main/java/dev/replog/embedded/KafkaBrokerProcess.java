package dev.replog.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same single-node Kafka as {@link KafkaBroker}, but in a child JVM, so that tests can kill
 * it with SIGKILL and start it again on the same ports and log directory. Owns
 * {@code baseDir/kafka-process}; the child's output goes to {@code broker.out} there.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaNode node;
    private final Path output;
    private final Thread shutdownHook;
    // Volatile so the shutdown hook can kill the child without waiting for a lock held by a
    // thread that is itself waiting for the child.
    private volatile Process process;
    private boolean closed;

    private KafkaBrokerProcess(KafkaNode node) {
        this.node = node;
        this.output = node.dir.resolve("broker.out");
        // A child JVM outlives its parent; kill it if the parent exits without close().
        this.shutdownHook = new Thread(this::killQuietly, "kafka-process-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Formats a fresh node (in this JVM), starts the child and returns once it is ready. */
    public static KafkaBrokerProcess start(Path baseDir) {
        KafkaBrokerProcess broker = new KafkaBrokerProcess(KafkaNode.create(baseDir.resolve("kafka-process")));
        try {
            broker.launch();
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
        return process.pid();
    }

    /** SIGKILL: no shutdown hooks, no flush beyond what the OS already holds. */
    public synchronized void kill() {
        process.destroyForcibly();
        waitFor(process, STOP_TIMEOUT);
    }

    /** Starts the child again on the same ports and log directory, stopping it cleanly first if it runs. */
    public synchronized void restart() {
        if (process.isAlive()) {
            stopGracefully();
        }
        launch();
    }

    /** Stops the child (SIGTERM, then SIGKILL if it hangs) and deletes the directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook kills the child anyway.
        }
        try {
            if (process != null && process.isAlive()) {
                stopGracefully();
            }
        } finally {
            Dirs.deleteRecursively(node.dir);
        }
    }

    private void launch() {
        long started = System.nanoTime();
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"),
                "kafka.Kafka", node.propertiesFile.toString());
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Process child = process;
        node.awaitListening(READY_TIMEOUT, () -> child.isAlive() ? null
                : "exit code " + child.exitValue() + "; last output:\n" + Dirs.tail(output, 40));
        node.awaitReady(READY_TIMEOUT);
        LOG.info("Kafka child process {} ready on {} in {} ms", process.pid(), bootstrapServers(),
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    private void stopGracefully() {
        process.destroy();
        if (!waitFor(process, STOP_TIMEOUT)) {
            LOG.warn("Kafka child process {} ignored SIGTERM for {}; killing it", process.pid(), STOP_TIMEOUT);
            kill();
        }
    }

    private void killQuietly() {
        Process child = process;
        if (child != null) {
            child.destroyForcibly();
        }
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for process " + process.pid(), e);
        }
    }

    @Override
    public String toString() {
        return "KafkaBrokerProcess[" + bootstrapServers() + "]";
    }
}
