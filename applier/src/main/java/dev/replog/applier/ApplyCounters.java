package dev.replog.applier;

import dev.replog.applier.deadletter.PoisonEvent;

/** What an apply loop reports back to its service. */
public interface ApplyCounters {

    void applied(int events, int replayedEvents);

    /** Sends a poison event to the dead-letter topic, acknowledged before anything moves past it. */
    void deadLettered(PoisonEvent e);
}
