package dev.replog.capture;

import dev.replog.schemas.LogFormat;
import dev.replog.schemas.TableId;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;
import dev.replog.topology.TopicSettings;

import java.time.Duration;
import java.util.List;

/**
 * Everything capture needs: the leader, what to capture, and where the log lives.
 *
 * @param snapshotMode       Debezium snapshot.mode: {@code initial} copies existing rows first,
 *                           {@code no_data} streams only changes from now on
 * @param timetzOffsets      whether capture may create a domain on the leader so that streamed timetz
 *                           values keep their offset
 * @param publicationRefresh how often capture brings the publication's table list up to date with the
 *                           leader's tables (tables created, dropped, given or losing their primary key)
 * @param watermarkInterval  the least time between two watermarks written into every partition of every
 *                           table topic (see {@link WatermarkPublisher}); zero writes none
 * @param snapshotMethod     how the initial snapshot is taken: Debezium's JDBC snapshot, or {@link CopySnapshot}
 * @param valueEncoding      whether date, timestamp, timetz and arrays travel as PostgreSQL text (exact) or
 *                           in Debezium's standard forms (for third-party sinks)
 * @param logFormat          how records are written: JSON with schemas, or compact (schemas once, in
 *                           {@code <prefix>.schemas}); a log keeps the format it was created with
 */
public record CaptureSettings(LeaderConnection leader,
                              String slotName,
                              String publicationName,
                              List<TableId> tables,
                              String snapshotMode,
                              Duration heartbeatInterval,
                              TopicNames topics,
                              TopicSettings topicSettings,
                              KafkaSettings kafka,
                              TimetzOffsets timetzOffsets,
                              Duration publicationRefresh,
                              Duration watermarkInterval,
                              ValueEncoding valueEncoding,
                              LogFormat logFormat,
                              SnapshotMethod snapshotMethod) {

    /** The default of {@code capture.publication.refresh.ms}. */
    public static final Duration DEFAULT_PUBLICATION_REFRESH = Duration.ofSeconds(5);
    /** The default of {@code capture.watermark.interval.ms}. */
    public static final Duration DEFAULT_WATERMARK_INTERVAL = Duration.ofMillis(100);

    public CaptureSettings {
        tables = List.copyOf(tables);
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("no tables to capture");
        }
        if (publicationRefresh.isNegative() || publicationRefresh.isZero()) {
            throw new IllegalArgumentException("publication refresh interval must be positive, not " + publicationRefresh);
        }
        if (watermarkInterval.isNegative()) {
            throw new IllegalArgumentException("watermark interval must not be negative, not " + watermarkInterval);
        }
    }

    /** With {@link LogFormat#JSON} and {@link SnapshotMethod#DEBEZIUM}. */
    public CaptureSettings(LeaderConnection leader, String slotName, String publicationName, List<TableId> tables,
                           String snapshotMode, Duration heartbeatInterval, TopicNames topics, TopicSettings topicSettings,
                           KafkaSettings kafka, TimetzOffsets timetzOffsets, Duration publicationRefresh,
                           Duration watermarkInterval, ValueEncoding valueEncoding) {
        this(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics, topicSettings, kafka,
                timetzOffsets, publicationRefresh, watermarkInterval, valueEncoding, LogFormat.JSON, SnapshotMethod.DEBEZIUM);
    }

    /** Whether the initial snapshot is {@link CopySnapshot}'s (Debezium then starts without one). */
    boolean copiesInitialSnapshot() {
        return snapshotMethod == SnapshotMethod.COPY && "initial".equals(snapshotMode);
    }

    /** With {@link ValueEncoding#EXACT}. */
    public CaptureSettings(LeaderConnection leader, String slotName, String publicationName, List<TableId> tables,
                           String snapshotMode, Duration heartbeatInterval, TopicNames topics, TopicSettings topicSettings,
                           KafkaSettings kafka, TimetzOffsets timetzOffsets, Duration publicationRefresh,
                           Duration watermarkInterval) {
        this(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics, topicSettings, kafka,
                timetzOffsets, publicationRefresh, watermarkInterval, ValueEncoding.EXACT);
    }

    /** With the default watermark interval. */
    public CaptureSettings(LeaderConnection leader, String slotName, String publicationName, List<TableId> tables,
                           String snapshotMode, Duration heartbeatInterval, TopicNames topics, TopicSettings topicSettings,
                           KafkaSettings kafka, TimetzOffsets timetzOffsets, Duration publicationRefresh) {
        this(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics, topicSettings, kafka,
                timetzOffsets, publicationRefresh, DEFAULT_WATERMARK_INTERVAL);
    }

    /** With the default publication refresh interval. */
    public CaptureSettings(LeaderConnection leader, String slotName, String publicationName, List<TableId> tables,
                           String snapshotMode, Duration heartbeatInterval, TopicNames topics, TopicSettings topicSettings,
                           KafkaSettings kafka, TimetzOffsets timetzOffsets) {
        this(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics, topicSettings, kafka,
                timetzOffsets, DEFAULT_PUBLICATION_REFRESH);
    }

    /** With the defaults, {@link TimetzOffsets#EXACT} and the default publication refresh interval. */
    public CaptureSettings(LeaderConnection leader, String slotName, String publicationName, List<TableId> tables,
                           String snapshotMode, Duration heartbeatInterval, TopicNames topics, TopicSettings topicSettings,
                           KafkaSettings kafka) {
        this(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics, topicSettings, kafka,
                TimetzOffsets.EXACT);
    }

    public CaptureSettings withTimetzOffsets(TimetzOffsets offsets) {
        return new CaptureSettings(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics,
                topicSettings, kafka, offsets, publicationRefresh, watermarkInterval, valueEncoding, logFormat, snapshotMethod);
    }

    public CaptureSettings withPublicationRefresh(Duration interval) {
        return new CaptureSettings(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics,
                topicSettings, kafka, timetzOffsets, interval, watermarkInterval, valueEncoding, logFormat, snapshotMethod);
    }

    public CaptureSettings withWatermarkInterval(Duration interval) {
        return new CaptureSettings(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics,
                topicSettings, kafka, timetzOffsets, publicationRefresh, interval, valueEncoding, logFormat, snapshotMethod);
    }

    public CaptureSettings withTables(List<TableId> captured) {
        return new CaptureSettings(leader, slotName, publicationName, captured, snapshotMode, heartbeatInterval, topics,
                topicSettings, kafka, timetzOffsets, publicationRefresh, watermarkInterval, valueEncoding, logFormat, snapshotMethod);
    }

    public CaptureSettings withLeader(LeaderConnection connection) {
        return new CaptureSettings(connection, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics,
                topicSettings, kafka, timetzOffsets, publicationRefresh, watermarkInterval, valueEncoding, logFormat, snapshotMethod);
    }

    public CaptureSettings withValueEncoding(ValueEncoding encoding) {
        return new CaptureSettings(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics,
                topicSettings, kafka, timetzOffsets, publicationRefresh, watermarkInterval, encoding, logFormat, snapshotMethod);
    }

    public CaptureSettings withLogFormat(LogFormat format) {
        return new CaptureSettings(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics,
                topicSettings, kafka, timetzOffsets, publicationRefresh, watermarkInterval, valueEncoding, format, snapshotMethod);
    }

    public CaptureSettings withSnapshotMethod(SnapshotMethod method) {
        return new CaptureSettings(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics,
                topicSettings, kafka, timetzOffsets, publicationRefresh, watermarkInterval, valueEncoding, logFormat, method);
    }
}
