package dev.replog.applier;

import dev.replog.applier.deadletter.PoisonEvent;

/** What an apply loop reports back to its service. */
public interface ApplyCounters {

    /**
     * A follower transaction committed.
     *
     * @param commitNanos how long writing its buffered rows and positions and committing it took
     */
    void applied(int events, int replayedEvents, long commitNanos);

    /** An outage is waited out and the work tried again; {@code cause} is {@code follower} or {@code kafka}. */
    void retried(String cause);

    /** Sends a poison event to the dead-letter topic, acknowledged before anything moves past it. */
    void deadLettered(PoisonEvent e);
}
