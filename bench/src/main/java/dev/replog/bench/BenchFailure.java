package dev.replog.bench;

/** A workload that could not produce its figures: it is reported as FAIL with this message. */
final class BenchFailure extends RuntimeException {

    BenchFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
