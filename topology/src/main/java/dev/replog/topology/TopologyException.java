package dev.replog.topology;

/** The topic layout in Kafka cannot be created or does not fit the configuration. */
public class TopologyException extends RuntimeException {

    public TopologyException(String message, Throwable cause) {
        super(message, cause);
    }

    public TopologyException(String message) {
        super(message);
    }
}
