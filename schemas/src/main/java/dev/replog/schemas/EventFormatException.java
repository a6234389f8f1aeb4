package dev.replog.schemas;

/** An event in the log that cannot be decoded: malformed JSON, missing fields, values of the wrong shape. */
public class EventFormatException extends RuntimeException {

    public EventFormatException(String message) {
        super(message);
    }

    public EventFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
