package dev.replog.applier.deadletter;

/**
 * Headers of a record in the dead-letter topic. Its key and value are the original record's bytes;
 * these say where it came from and why it could not be applied. Values are UTF-8 text.
 */
public final class DeadLetterHeaders {

    public static final String ERROR = "replog.dlq.error";
    /** {@code decode} or {@code apply}. */
    public static final String ERROR_KIND = "replog.dlq.error.kind";
    /** The follower's SQLSTATE; only on {@code apply} errors from the follower. */
    public static final String SQLSTATE = "replog.dlq.sqlstate";
    public static final String TOPIC = "replog.dlq.topic";
    public static final String PARTITION = "replog.dlq.partition";
    public static final String OFFSET = "replog.dlq.offset";
    /** The original event's LSN, when it had one. */
    public static final String LSN = "replog.dlq.lsn";
    /** {@code schema.table}. */
    public static final String TABLE = "replog.dlq.table";
    /** When it failed, ISO-8601. */
    public static final String FAILED_AT = "replog.dlq.failed.at";
    /** Consumer group of the follower that could not apply it. */
    public static final String GROUP = "replog.dlq.group";
    /** The policy in force: {@code stop} or {@code skip}. */
    public static final String POLICY = "replog.dlq.policy";

    private DeadLetterHeaders() {
    }
}
