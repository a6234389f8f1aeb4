package dev.replog.topology;

import dev.replog.schemas.TableId;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names of the topics that make up one replication log, all under one prefix:
 * {@code <prefix>.<schema>.<table>} per table, plus a few topics of Replog's own.
 */
public record TopicNames(String prefix) {

    /** The leader table capture updates every heartbeat interval; its changes go to {@link #heartbeat()}. */
    public static final TableId HEARTBEAT_TABLE = new TableId("replog", "heartbeat");

    private static final Pattern VALID_PREFIX = Pattern.compile("[A-Za-z0-9_-]+");
    /** Kafka's limit on the length of a topic name. */
    static final int MAX_TOPIC_LENGTH = 249;
    /** Leaves room for two long table names under any prefix. */
    static final int MAX_PREFIX_LENGTH = 100;
    /** Hex digits of the SHA-256 of the exact names that end a shortened table topic (96 bits). */
    private static final int HASH_DIGITS = 24;

    public TopicNames {
        if (!VALID_PREFIX.matcher(prefix).matches() || prefix.length() > MAX_PREFIX_LENGTH) {
            throw new IllegalArgumentException("topic prefix '" + prefix + "' must be at most " + MAX_PREFIX_LENGTH
                    + " letters, digits, '_' or '-' (it starts every Replog topic name)");
        }
    }

    /**
     * The table's topic: {@code <prefix>.<schema>.<table>}, each name {@link #encode encoded} so that
     * two different tables never share a topic (a name Kafka allows as it is stays as it is). A topic
     * that would be longer than Kafka allows keeps its start and ends with a hash of the exact names.
     */
    public String forTable(TableId table) {
        String schema = encode(table.schema());
        String name = encode(table.table());
        int room = MAX_TOPIC_LENGTH - prefix.length() - 2;
        if (schema.length() + name.length() > room) {
            String hash = "-" + sha256Hex(table.schema() + '\0' + table.table()).substring(0, HASH_DIGITS);
            int keep = room - hash.length();
            int schemaKeep = Math.min(schema.length(), Math.max(keep / 2, keep - name.length()));
            schema = schema.substring(0, schemaKeep);
            name = name.substring(0, keep - schemaKeep) + hash;
        }
        return prefix + "." + schema + "." + name;
    }

    /**
     * A schema or table name as part of a topic name: ASCII letters, digits and '_' as they are, every
     * other code point (including '.', which separates the parts, and '-', which starts an escape) as
     * {@code -<hex>-}. So {@code My.Schema} is {@code My-2e-Schema} and {@code a b} is {@code a-20-b}:
     * unlike Debezium's default of '_' for every character Kafka refuses, no two names meet.
     */
    static String encode(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        name.codePoints().forEach(cp -> {
            if (cp < 128 && (Character.isLetterOrDigit(cp) || cp == '_')) {
                sb.appendCodePoint(cp);
            } else {
                sb.append('-').append(Integer.toHexString(cp)).append('-');
            }
        });
        return sb.toString();
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
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

    /**
     * Per table, where its newest complete refresh copy starts in each partition of its topic
     * (capture.refresh.interval.ms): one partition, compacted, keyed by table.
     */
    public String copies() {
        return prefix + ".copies";
    }

    /** Capture's Debezium offsets (the acknowledged LSN), one partition, compacted. */
    public String captureOffsets() {
        return prefix + ".capture-offsets";
    }

    /**
     * The compact format's schemas (schemas/README.md, "Compact format"): one partition, compacted,
     * keyed by schema id, holding every schema a compact record names.
     */
    public String schemas() {
        return prefix + ".schemas";
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
