package dev.replog.cli;

import dev.replog.embedded.ChildJvm;
import dev.replog.testkit.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A service dies whole: a thread that dies on an uncaught error ends the process, with one ERROR line. */
class ProcessDeathTest {

    @TempDir
    Path dir;

    @Test
    void anOutOfMemoryErrorInAnyThreadEndsTheProcessWithExitCodeOneAndOneErrorLine() throws Exception {
        Path out = dir.resolve("dying.log");
        try (ChildJvm child = ChildJvm.start(DyingService.class.getName(), List.of(), "64m", out)) {
            Await.until("the process ended", Duration.ofSeconds(60), () -> !child.isAlive());
            assertEquals(ProcessDeath.EXIT_CODE, child.exitCode());
        }
        List<String> errors = Files.readAllLines(out).stream().filter(l -> l.contains("ERROR")).toList();
        assertEquals(1, errors.size(), "one ERROR line: " + errors);
        assertTrue(errors.get(0).contains("thread worker-7 died") && errors.get(0).contains("OutOfMemoryError"), errors.get(0));
    }

    /** Stands for a service: main waits forever, as `replog capture` does, while a worker thread dies. */
    public static final class DyingService {
        public static void main(String[] args) throws InterruptedException {
            ProcessDeath.install();
            Thread worker = new Thread(() -> {
                throw new OutOfMemoryError("Java heap space (simulated)");
            }, "worker-7");
            worker.start();
            Thread.currentThread().join(); // as a service's main does: until the process ends
        }
    }
}
