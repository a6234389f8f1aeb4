package dev.replog.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.opentest4j.AssertionFailedError;

/**
 * Waiting on a condition with a deadline, the one place tests may pause: replication is
 * asynchronous, and a fixed sleep is either too short on a busy machine or wasted time.
 */
public final class Await {

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(75);

    private Await() {
    }

    /**
     * Polls {@code condition} until it returns true. An exception (or assertion error) from the
     * condition counts as "not yet"; the last one is attached if time runs out.
     */
    public static void until(String what, Duration timeout, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable lastFailure = null;
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (Exception | AssertionError e) {
                lastFailure = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                AssertionError timedOut = new AssertionError("timed out after " + timeout + " waiting until " + what);
                if (lastFailure != null) {
                    timedOut.initCause(lastFailure);
                }
                throw timedOut;
            }
            pause();
        }
    }

    /**
     * Polls until {@code actual} equals {@code expected} (both re-evaluated each time); on timeout
     * the failure carries both last values, so the IDE can show a diff.
     */
    public static <T> void untilEquals(String what, Duration timeout, Callable<T> expected, Callable<T> actual) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object lastExpected = null;
        Object lastActual = null;
        Throwable lastFailure = null;
        while (true) {
            try {
                lastExpected = expected.call();
                lastActual = actual.call();
                if (Objects.equals(lastExpected, lastActual)) {
                    return;
                }
                lastFailure = null;
            } catch (Exception | AssertionError e) {
                lastFailure = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionFailedError("timed out after " + timeout + " waiting until " + what,
                        lastExpected, lastActual, lastFailure);
            }
            pause();
        }
    }

    private static void pause() {
        LockSupport.parkNanos(POLL_NANOS);
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting");
        }
    }
}
