package dev.replog.topology;

import java.time.Duration;

/**
 * Exponential backoff between attempts at something that is down (Kafka, the leader, a follower):
 * each {@link #next()} delay doubles up to a cap; {@link #reset()} once it works again, so a new
 * outage hours later starts from the first delay rather than the cap. Shared by every service so
 * they all retry alike.
 */
public final class Backoff {

    private final Duration first;
    private final Duration max;
    private Duration delay;
    private int attempt;

    public Backoff(Duration first, Duration max) {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < first <= max, got " + first + " and " + max);
        }
        this.first = first;
        this.max = max;
        this.delay = first;
    }

    /** The delay before the next attempt; the one after it is twice as long, up to the cap. */
    public Duration next() {
        Duration d = delay;
        attempt++;
        delay = delay.multipliedBy(2).compareTo(max) > 0 ? max : delay.multipliedBy(2);
        return d;
    }

    /** Attempts made since the last reset. */
    public int attempt() {
        return attempt;
    }

    public void reset() {
        delay = first;
        attempt = 0;
    }

    /**
     * Sleeps for a delay, typically one {@link #next()} gave after it was logged.
     *
     * @return false if interrupted (the interrupt flag is set again)
     */
    public static boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
