package dev.replog.capture;

import dev.replog.schemas.TableId;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;
import dev.replog.topology.TopicSettings;

import java.time.Duration;
import java.util.List;

/**
 * Everything capture needs: the leader, what to capture, and where the log lives.
 *
 * @param snapshotMode  Debezium snapshot.mode: {@code initial} copies existing rows first,
 *                      {@code no_data} streams only changes from now on
 * @param timetzOffsets whether capture may create a domain on the leader so that streamed timetz
 *                      values keep their offset
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
                              TimetzOffsets timetzOffsets) {

    public CaptureSettings {
        tables = List.copyOf(tables);
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("no tables to capture");
        }
    }

    /** With the default, {@link TimetzOffsets#EXACT}. */
    public CaptureSettings(LeaderConnection leader, String slotName, String publicationName, List<TableId> tables,
                           String snapshotMode, Duration heartbeatInterval, TopicNames topics, TopicSettings topicSettings,
                           KafkaSettings kafka) {
        this(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics, topicSettings, kafka,
                TimetzOffsets.EXACT);
    }

    public CaptureSettings withTimetzOffsets(TimetzOffsets offsets) {
        return new CaptureSettings(leader, slotName, publicationName, tables, snapshotMode, heartbeatInterval, topics,
                topicSettings, kafka, offsets);
    }
}
