package dev.replog.applier;

import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.SourceOrder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;

/** Reads Replog's headers ({@link LogHeaders}) off a consumed record; a malformed header reads as absent. */
public final class LogRecords {

    private LogRecords() {
    }

    public static Lsn lsn(ConsumerRecord<byte[], byte[]> r) {
        return lsnHeader(r, LogHeaders.LSN);
    }

    /**
     * Only streamed changes, which carry their place in a transaction, have an order to compare:
     * snapshot rows (all at the snapshot's LSN) and schema changes are idempotent and always applied.
     */
    public static SourceOrder order(ConsumerRecord<byte[], byte[]> r) {
        if (header(r, LogHeaders.TX_ORDER) == null) {
            return null;
        }
        try {
            return SourceOrder.fromHeaders(header(r, LogHeaders.PREVIOUS_COMMIT_LSN), header(r, LogHeaders.LSN),
                    header(r, LogHeaders.TX_ORDER));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The leader transaction (xid) the record belongs to; null for snapshot rows and Replog's own records. */
    public static Long txId(ConsumerRecord<byte[], byte[]> r) {
        String text = header(r, LogHeaders.TX_ID);
        if (text == null || isSnapshot(r)) {
            return null;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Commit LSN of the transaction before the record's own, if the header carries it. */
    public static Lsn previousCommit(ConsumerRecord<byte[], byte[]> r) {
        return lsnHeader(r, LogHeaders.PREVIOUS_COMMIT_LSN);
    }

    /** A watermark of capture's ({@code WatermarkFormat}), told by its header alone: no change to apply. */
    public static boolean isWatermark(ConsumerRecord<byte[], byte[]> r) {
        return r.headers().lastHeader(LogHeaders.WATERMARK) != null;
    }

    /** The LSN a watermark record names; null if the record is none or its header is malformed. */
    public static Lsn watermark(ConsumerRecord<byte[], byte[]> r) {
        return lsnHeader(r, LogHeaders.WATERMARK);
    }

    private static Lsn lsnHeader(ConsumerRecord<byte[], byte[]> r, String name) {
        String text = header(r, name);
        try {
            return text == null ? null : Lsn.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static boolean isSnapshot(ConsumerRecord<byte[], byte[]> r) {
        return "true".equals(header(r, LogHeaders.SNAPSHOT));
    }

    public static String where(ConsumerRecord<byte[], byte[]> r) {
        Lsn lsn = lsn(r);
        return "topic " + r.topic() + " partition " + r.partition() + " offset " + r.offset()
                + (lsn == null ? "" : " (LSN " + lsn + ")");
    }

    public static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
