package dev.replog.bench;

/** A workload that could not produce its figures: it is reported as FAIL with this message. */
public final class BenchFailure extends RuntimeException {

    public BenchFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
