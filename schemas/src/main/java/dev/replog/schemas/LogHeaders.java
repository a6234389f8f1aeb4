package dev.replog.schemas;

/**
 * Kafka record headers Replog puts on every change event, so a consumer can position itself
 * without parsing the value. Values are UTF-8 text.
 */
public final class LogHeaders {

    /** Version of the log format; bumped only by an incompatible change (see schemas/README.md). */
    public static final String FORMAT_VERSION = "1";

    public static final String FORMAT = "replog.format";
    /** WAL position of the change, in X/Y form. */
    public static final String LSN = "replog.lsn";
    /** Leader transaction id (xid), decimal. */
    public static final String TX_ID = "replog.txid";
    /** Position of the event within its transaction, from 1; absent for snapshot rows. */
    public static final String TX_ORDER = "replog.tx.order";
    /** Commit LSN of the transaction committed before this one, when Debezium knows it. */
    public static final String PREVIOUS_COMMIT_LSN = "replog.prev.commit.lsn";
    /** "true" on rows read by the initial snapshot. */
    public static final String SNAPSHOT = "replog.snapshot";
    /**
     * On the delete that starts a primary-key update: the row's new key, written like a record key
     * (Debezium's {@code __debezium.newkey}).
     */
    public static final String KEY_NEW = "replog.key.new";
    /**
     * On the create that ends a primary-key update: the row's old key, written like a record key
     * (Debezium's {@code __debezium.oldkey}).
     */
    public static final String KEY_OLD = "replog.key.old";
    /**
     * Only on watermark records ({@link WatermarkFormat}): the watermark's LSN in X/Y form, so that a
     * consumer recognises one without parsing its value.
     */
    public static final String WATERMARK = "replog.watermark";
    /**
     * Only on a watermark that also marks where a copy of the table begins in this partition (capture
     * read the copy's request, in WAL order): the copy's id, as in {@link CompleteCopy#copyId()}.
     */
    public static final String COPY = "replog.copy";

    private LogHeaders() {
    }
}
