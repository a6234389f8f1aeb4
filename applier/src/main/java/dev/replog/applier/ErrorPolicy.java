package dev.replog.applier;

/**
 * What the applier does with a poison event (one that cannot be decoded or that the follower
 * refuses). Either way the event goes to the dead-letter topic first; it is never silently dropped.
 */
public enum ErrorPolicy {
    /** The event's table stops (its topic is paused and the stop recorded); other tables go on. */
    STOP,
    /** The event is set aside in {@code replog.dead_letters} and applying goes on past it. */
    SKIP;

    /** Parses the configured spelling, {@code stop} or {@code skip}. */
    public static ErrorPolicy parse(String name) {
        return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
