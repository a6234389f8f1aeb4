package dev.replog.applier.deadletter;

import dev.replog.schemas.Lsn;

import java.time.Instant;

/**
 * A record of a table topic that cannot be applied, with everything needed to find it in the log,
 * to understand why, and to apply it again later: its original key and value bytes.
 *
 * @param table    {@code schema.table}, from the event, or from the topic name if it did not decode
 * @param kind     {@code decode} (not a valid event) or {@code apply} (the follower refused it)
 * @param sqlState the follower's SQLSTATE for {@code apply}; null otherwise
 */
public record PoisonEvent(String topic, int partition, long offset, Lsn lsn, String table, String kind,
                          String sqlState, String error, byte[] key, byte[] value, Instant failedAt) {

    public static final String DECODE = "decode";
    public static final String APPLY = "apply";

    /** The table part of a table topic's name: the prefix never contains a dot. */
    public static String tableOfTopic(String topic) {
        return topic.substring(topic.indexOf('.') + 1);
    }

    /** Where it is, for logs and errors. */
    public String where() {
        return "table " + table + " (topic " + topic + " partition " + partition + " offset " + offset
                + (lsn == null ? "" : " LSN " + lsn) + ")";
    }

    /** Why it failed, for logs and errors. */
    public String reason() {
        return kind + " error" + (sqlState == null ? "" : " SQLSTATE " + sqlState) + ": " + error;
    }
}
