package dev.replog.topology;

import dev.replog.schemas.TableId;

import java.util.regex.Pattern;

/**
 * Names of the topics that make up one replication log, all under one prefix:
 * {@code <prefix>.<schema>.<table>} per table, plus a few topics of Replog's own.
 */
public record TopicNames(String prefix) {

    /** The leader table capture updates every heartbeat interval; its changes go to {@link #heartbeat()}. */
    public static final TableId HEARTBEAT_TABLE = new TableId("replog", "heartbeat");

    private static final Pattern VALID_PREFIX = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern INVALID_TOPIC_CHARS = Pattern.compile("[^A-Za-z0-9._-]");

    public TopicNames {
        if (!VALID_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("topic prefix '" + prefix
                    + "' must be letters, digits, '_' or '-' (it starts every Replog topic name)");
        }
    }

    /** The table's topic, with characters Kafka does not allow replaced by '_' as Debezium does. */
    public String forTable(TableId table) {
        return prefix + "." + INVALID_TOPIC_CHARS.matcher(table.schema()).replaceAll("_")
                + "." + INVALID_TOPIC_CHARS.matcher(table.table()).replaceAll("_");
    }

    /** BEGIN/END records of leader transactions, one partition. */
    public String transactions() {
        return prefix + ".transactions";
    }

    /**
     * Capture's heartbeat transactions (the {@code replog.heartbeat} row it updates every interval),
     * one partition: a transactional applier moves its watermark by them while every table is idle.
     */
    public String heartbeat() {
        return prefix + ".heartbeat";
    }

    /** The topic a captured table's changes go to; the heartbeat table's go to {@link #heartbeat()}. */
    public String topicOf(TableId table) {
        return table.equals(HEARTBEAT_TABLE) ? heartbeat() : forTable(table);
    }

    /** Capture's Debezium offsets (the acknowledged LSN), one partition, compacted. */
    public String captureOffsets() {
        return prefix + ".capture-offsets";
    }

    /** Events the applier could not apply, with the reason. */
    public String deadLetter() {
        return prefix + ".dead-letter";
    }

    /** Matches every table topic of this log and nothing else (not Replog's own topics). */
    public Pattern tableTopicPattern() {
        String p = Pattern.quote(prefix + ".");
        return Pattern.compile(p + "(?!(transactions|heartbeat|capture-offsets|dead-letter)$)[^.]+\\..+");
    }

    public boolean isTableTopic(String topic) {
        return tableTopicPattern().matcher(topic).matches();
    }
}
