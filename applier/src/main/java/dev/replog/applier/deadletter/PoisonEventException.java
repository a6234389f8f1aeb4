package dev.replog.applier.deadletter;

import dev.replog.applier.ApplyException;

/** One record of a batch cannot be applied; the rest of the batch may be fine. */
public final class PoisonEventException extends ApplyException {

    private final transient PoisonEvent event;

    public PoisonEventException(String message, PoisonEvent event, Throwable cause) {
        super(message, cause);
        this.event = event;
    }

    public PoisonEvent event() {
        return event;
    }
}
