package dev.replog.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java main class run as a child process on this JVM's class path, so a test can kill it with
 * SIGKILL (no shutdown hooks, no flush) and start it again. Output is appended to one file across
 * restarts, so a failing test can show what the child said.
 */
public final class ChildJvm implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final List<String> command;
    private final Path output;
    private final Thread shutdownHook;
    private volatile Process process;

    private ChildJvm(List<String> command, Path output) {
        this.command = command;
        this.output = output;
        // A child outlives its parent; kill it if the parent exits without close().
        this.shutdownHook = new Thread(this::killQuietly, "child-jvm-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts {@code mainClass args...} with the given heap, output appended to {@code output}. */
    public static ChildJvm start(String mainClass, List<String> args, String maxHeap, Path output) {
        return start(mainClass, List.of(), args, maxHeap, output);
    }

    /** As above, with extra JVM options (e.g. a flight recording) before the main class. */
    public static ChildJvm start(String mainClass, List<String> jvmOptions, List<String> args, String maxHeap, Path output) {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx" + maxHeap));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        ChildJvm child = new ChildJvm(List.copyOf(command), output);
        child.launch();
        return child;
    }

    private void launch() {
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    public synchronized long pid() {
        return process.pid();
    }

    /** The exit code of a process that has ended. */
    public synchronized int exitCode() {
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, then waits until the process is gone. */
    public synchronized void kill() {
        process.destroyForcibly();
        waitFor(STOP_TIMEOUT);
    }

    /** Starts the same command again, stopping the running process gracefully first if there is one. */
    public synchronized void restart() {
        stop();
        launch();
    }

    /** SIGTERM (the child's shutdown hooks run), SIGKILL if it hangs. */
    public synchronized void stop() {
        if (process.isAlive()) {
            process.destroy();
            if (!waitFor(STOP_TIMEOUT)) {
                kill();
            }
        }
    }

    /** The last lines the child wrote, for failure messages. */
    public String tail(int lines) {
        return Dirs.tail(output, lines);
    }

    /** Stops the child for good. */
    @Override
    public synchronized void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook kills the child anyway.
        }
        stop();
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void killQuietly() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }
}
