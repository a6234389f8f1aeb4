package dev.replog.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waiting for the follower: replication is asynchronous, so every measurement ends by polling a
 * condition until it holds. The poll interval bounds the timing error of a measurement.
 */
public final class Poll {

    /** A condition that may fail while it is not yet true (e.g. a table the applier has not created). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Poll() {
    }

    /**
     * Polls until {@code condition} holds and returns {@link System#nanoTime()} of the poll that saw
     * it. {@code guard} runs before each poll and throws to give up early (a replication process died).
     */
    public static long until(String what, Duration timeout, Duration every, Runnable guard, Condition condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            guard.run();
            try {
                if (condition.holds()) {
                    return System.nanoTime();
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new BenchFailure("timed out after " + timeout.toSeconds() + " s waiting until " + what
                        + (last == null ? "" : " (last error: " + last.getMessage() + ")"), last);
            }
            LockSupport.parkNanos(every.toNanos());
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new BenchFailure("interrupted while waiting until " + what, null);
            }
        }
    }

    static double secondsSince(long startNanos, long endNanos) {
        return (endNanos - startNanos) / (double) TimeUnit.SECONDS.toNanos(1);
    }
}
