package dev.replog.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a Replog service run as a child JVM said in its log (its output, appended across restarts). */
public final class ServiceLogs {

    private ServiceLogs() {
    }

    /** Lines logged at ERROR; -1 if the log cannot be read. */
    public static long errorLines(Path logFile) {
        try (var lines = Files.lines(logFile)) {
            return lines.filter(l -> l.contains(" ERROR ")).count();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** Whether the service ran out of heap (it exits on it: -XX:+ExitOnOutOfMemoryError). */
    public static boolean outOfMemory(Path logFile) {
        try {
            return Files.readString(logFile).contains("OutOfMemoryError");
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /** Whether the service logged a line containing {@code text} (e.g. its "started" line). */
    public static boolean said(Path logFile, String text) {
        try (var lines = Files.lines(logFile)) {
            return lines.anyMatch(l -> l.contains(text));
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }
}
