package dev.replog.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service dies whole: any thread that ends on an uncaught error (an {@code OutOfMemoryError}
 * included) ends the process with exit code 1 and one ERROR line naming the thread, so that a
 * supervisor restarts it. Nothing in Replog relies on a thread dying quietly; a half-dead process
 * would look alive while its follower or slot stands still.
 */
final class ProcessDeath {

    static final int EXIT_CODE = 1;
    private static final Logger log = LoggerFactory.getLogger(ProcessDeath.class);

    private ProcessDeath() {
    }

    /** For the process's lifetime; only {@code main} installs it, never code running inside a test's JVM. */
    static void install() {
        Thread.setDefaultUncaughtExceptionHandler(ProcessDeath::die);
    }

    private static void die(Thread thread, Throwable e) {
        try {
            log.error("thread {} died: {}: {}; exiting so that a supervisor restarts replog", thread.getName(),
                    e.getClass().getName(), e.getMessage());
        } catch (Throwable ignored) {
            // Out of memory even for the log line: the exit code still tells.
        } finally {
            // halt, not exit: shutdown hooks would wait on the threads that are already broken.
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
