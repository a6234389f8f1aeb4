package dev.replog.applier;

/** The applier stopped because an event cannot be applied. The message names where it is in the log. */
public class ApplyException extends RuntimeException {

    public ApplyException(String message, Throwable cause) {
        super(message, cause);
    }

    public ApplyException(String message) {
        super(message);
    }
}
