package dev.replog.schemas;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A complete copy of a table in the log (a refresh copy, capture.refresh.interval.ms): where it starts
 * in each partition of the table's topic, so that a follower can be rebuilt from it without the
 * records before. Kept per table in the compacted topic {@code <prefix>.copies}; see
 * {@link CompleteCopyFormat} and schemas/README.md, "Copies".
 *
 * @param table        the copied table
 * @param copyId       the id of the request that started it (the row of capture's signal table)
 * @param topic        the table's topic
 * @param startOffsets per partition, the offset of the copy's start marker (a watermark carrying
 *                     {@link LogHeaders#COPY}): every record of the table written after the copy
 *                     was requested is at or after it
 * @param startLsn     where the leader's WAL holds the request: the copy begins there
 * @param endLsn       how far capture had published when the table was read to its end
 * @param completedAt  when capture saw the table read to its end
 */
public record CompleteCopy(TableId table, String copyId, String topic, SortedMap<Integer, Long> startOffsets, Lsn startLsn,
                           Lsn endLsn, Instant completedAt) {

    public CompleteCopy {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(copyId, "copyId");
        Objects.requireNonNull(topic, "topic");
        startOffsets = new TreeMap<>(startOffsets);
        Objects.requireNonNull(startLsn, "startLsn");
        Objects.requireNonNull(endLsn, "endLsn");
        Objects.requireNonNull(completedAt, "completedAt");
    }

    public static CompleteCopy of(TableId table, String copyId, String topic, Map<Integer, Long> startOffsets, Lsn startLsn,
                                  Lsn endLsn, Instant completedAt) {
        return new CompleteCopy(table, copyId, topic, new TreeMap<>(startOffsets), startLsn, endLsn, completedAt);
    }
}
