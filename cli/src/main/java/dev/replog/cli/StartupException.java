package dev.replog.cli;

/** A service could not start: a server unreachable in time, or similar. */
class StartupException extends RuntimeException {

    StartupException(String message) {
        super(message);
    }
}
