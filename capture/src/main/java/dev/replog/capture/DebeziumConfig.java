package dev.replog.capture;

import dev.replog.schemas.TableId;

import java.util.Collection;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Translates capture settings into the Debezium embedded engine's properties. The value settings
 * are the closest to lossless Debezium offers; the applier reads values exactly as they are chosen
 * here (see schemas/README.md).
 */
final class DebeziumConfig {

    /** Bytes of change events Debezium may hold between reading the WAL and handing a batch over. */
    static final long QUEUE_BYTES = 64L * 1024 * 1024;

    private DebeziumConfig() {
    }

    /**
     * @param signals   capture's signal table ({@link SnapshotSignals})
     * @param published the tables in the publication: the only ones an initial snapshot may copy (a
     *                  table a pattern matches but that may not be published has no primary key)
     */
    static Properties of(CaptureSettings s, TableId signals, Collection<TableId> published) {
        Properties p = new Properties();
        p.put("name", "replog-capture-" + s.slotName());
        p.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");

        // Offsets (the acknowledged LSN) live in Kafka beside the log they describe, so a capture
        // process has no local state and can be replaced by another.
        p.put("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        p.put("offset.storage.topic", s.topics().captureOffsets());
        p.put("offset.storage.partitions", "1");
        p.put("offset.storage.replication.factor", Short.toString(s.topicSettings().replicationFactor()));
        // Debezium's default of 60 s would hold the slot (and the leader's WAL) back for a minute.
        p.put("offset.flush.interval.ms", "1000");
        p.putAll(s.kafka().clientConfig());

        LeaderConnection leader = s.leader();
        p.put("database.hostname", leader.host());
        p.put("database.port", Integer.toString(leader.port()));
        p.put("database.user", leader.user());
        p.put("database.password", leader.password());
        p.put("database.dbname", leader.database());
        // Debezium hands database.<name> to pgjdbc as <name>, for its own connections and the replication stream.
        leader.tls().jdbcProperties().forEach((name, value) -> p.put("database." + name, value));

        p.put("topic.prefix", s.topics().prefix());
        p.put("topic.naming.strategy", ReplogTopicNaming.class.getName());
        p.put("plugin.name", "pgoutput");
        p.put("slot.name", s.slotName());
        p.put("publication.name", s.publicationName());
        // LeaderPublication creates the publication (Debezium's own statement does not quote names).
        p.put("publication.autocreate.mode", "disabled");
        // Fixed for the life of an engine: CaptureService starts a new one when capture.tables changes.
        p.put("table.include.list", Stream.concat(s.tables().stream(), Stream.of(HeartbeatTable.TABLE))
                .map(DebeziumConfig::includeRegex).collect(Collectors.joining(",")));
        // capture.snapshot.method=copy: CopySnapshot copied the tables at the slot's consistent point, from which Debezium streams.
        p.put("snapshot.mode", s.copiesInitialSnapshot() ? "no_data" : s.snapshotMode());
        p.put("snapshot.include.collection.list", Stream.concat(Stream.of(HeartbeatTable.TABLE), published.stream()
                .filter(t -> !t.equals(signals))).distinct().map(DebeziumConfig::includeRegex).collect(Collectors.joining(",")));
        // Tables published while capture runs are copied by incremental snapshots (LeaderPublication),
        // requested through the signal table; Debezium's watermark rows there are deleted again at once.
        p.put("signal.enabled.channels", "source");
        p.put("signal.data.collection", signals.schema() + "." + signals.table());
        p.put("incremental.snapshot.watermarking.strategy", "insert_delete");
        // A column filter that excludes nothing makes Debezium name the columns it knows in a chunk's
        // SELECT (AbstractChunkQueryBuilder#buildProjection) instead of SELECT *: a table it learned
        // from the stream lacks its generated columns (pgoutput leaves them out), and SELECT * then
        // fails the chunk, which Debezium only logs before it skips the table's copy.
        p.put("column.exclude.list", "(?!)");
        // A copy Debezium gives up on is only logged by it; this channel tells capture (CopyNotifications).
        p.put("notification.enabled.channels", CopyNotifications.NAME);
        // Debezium would publish a schema change record to the topic named topic.prefix when an
        // incremental snapshot reads a table it did not know; Replog publishes its own (SchemaTracker).
        p.put("include.schema.changes", "false");

        // Truncates are skipped unless asked for; a follower must see them.
        p.put("skipped.operations", "none");
        p.put("tombstones.on.delete", "true");
        p.put("provide.transaction.metadata", "true");
        p.put("topic.transaction", "transactions");
        p.put("heartbeat.interval.ms", Long.toString(s.heartbeatInterval().toMillis()));
        p.put("heartbeat.action.query", HeartbeatTable.beatStatement(s.slotName()));

        p.put("decimal.handling.mode", "string");
        p.put("interval.handling.mode", "string");
        p.put("time.precision.mode", "adaptive_time_microseconds");
        p.put("binary.handling.mode", "hex");
        p.put("include.unknown.datatypes", "true");
        // The follower creates its tables with the leader's declared types, carried in the schema.
        p.put("column.propagate.source.type", ".*");
        // Arrays, date, timestamp and timetz as PostgreSQL text: Debezium's own forms of them lose values
        // (unless capture.value.encoding=debezium asks for those forms, for third-party sinks).
        p.put("converters", "pgtext");
        // The driver would read a snapshot's interval into a PGInterval, which cannot hold PostgreSQL 17's
        // infinite intervals nor more than 2^31-1 hours, and fails the snapshot on them: a plain
        // PGobject keeps the server's text (pgjdbc's datatype.<type> property, passed on by Debezium).
        p.put("database.datatype.interval", org.postgresql.util.PGobject.class.getName());
        p.put("pgtext.type", s.valueEncoding().converter().getName());

        // Throughput and latency of the hand-over to the batch handler, which waits for Kafka's
        // acknowledgement once per batch: larger batches wait fewer times (defaults 2048 / 8192), and
        // an idle queue is looked at every 10 ms instead of every 500 ms, which was a floor of the lag.
        p.put("max.batch.size", "4096");
        p.put("max.queue.size", "16384");
        // The queue's count alone lets wide rows (large text, jsonb, bytea) fill any heap: it is
        // also held to QUEUE_BYTES, so capture's memory does not depend on the width of the rows.
        p.put("max.queue.size.in.bytes", Long.toString(QUEUE_BYTES));
        p.put("poll.interval.ms", "10");

        p.put("errors.max.retries", "-1");
        p.put("errors.retry.delay.initial.ms", "500");
        p.put("errors.retry.delay.max.ms", "10000");
        return p;
    }

    /** A captured-table entry with {@code *} in its name, e.g. {@code public.*} or {@code sales.order_*}. */
    static boolean isPattern(TableId t) {
        return t.table().contains("*") || t.schema().contains("*");
    }

    /**
     * The table.include.list regex of one entry: '*' matches any characters, everything else itself.
     * Debezium matches the list case-insensitively (io.debezium.function.Predicates#includes compiles
     * it with CASE_INSENSITIVE): the leading {@code (?-i)} keeps {@code public.Orders} from also
     * capturing {@code public.orders}.
     */
    static String includeRegex(TableId t) {
        String star = escape("*");
        return "(?-i)" + escape(t.schema()).replace(star, ".*") + "\\." + escape(t.table()).replace(star, ".*");
    }

    /**
     * The name as a regex matching only itself: ASCII letters, digits and '_' as they are, every other
     * code point as {@code \x{hex}} (a backslash before a non-ASCII letter or half of an emoji's
     * surrogate pair would not be an escape). A ',' thus never appears literally, and Debezium's
     * comma-separated list (io.debezium.util.Strings#setOfRegex) is not split inside a name.
     */
    private static String escape(String name) {
        StringBuilder sb = new StringBuilder();
        name.codePoints().forEach(cp -> {
            if (cp < 128 && (Character.isLetterOrDigit(cp) || cp == '_')) {
                sb.appendCodePoint(cp);
            } else {
                sb.append("\\x{").append(Integer.toHexString(cp)).append('}');
            }
        });
        return sb.toString();
    }
}
