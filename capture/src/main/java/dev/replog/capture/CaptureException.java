package dev.replog.capture;

/** Capture cannot start or cannot go on. The message says what to fix. */
public class CaptureException extends RuntimeException {

    public CaptureException(String message) {
        super(message);
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
