package dev.replog.applier;

/** One record of a batch cannot be applied; the rest of the batch may be fine. */
final class PoisonEventException extends ApplyException {

    private final transient PoisonEvent event;

    PoisonEventException(String message, PoisonEvent event, Throwable cause) {
        super(message, cause);
        this.event = event;
    }

    PoisonEvent event() {
        return event;
    }
}
