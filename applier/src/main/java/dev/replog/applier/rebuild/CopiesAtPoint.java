package dev.replog.applier.rebuild;

import dev.replog.applier.LogRecords;
import dev.replog.schemas.LogHeaders;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Tables whose copy was in progress at the point a replay stopped: the rows of a table published
 * while capture runs (or copied again) are read by an incremental snapshot, in chunks interleaved
 * with streaming, outside the leader's transactions, so a replay cut in the middle of a copy holds a
 * state of that table the leader never had. Told by copied rows (snapshot rows after a watermark:
 * the initial snapshot precedes every watermark) on both sides of each partition's stop, within a
 * bounded window.
 */
final class CopiesAtPoint {

    private static final long WINDOW = 4096;

    private CopiesAtPoint() {
    }

    /** @param stops per partition, the offset of the last record the replay applied */
    static Set<String> find(LogReader log, List<TopicPartition> partitions, Map<TopicPartition, Long> stops) {
        Set<String> tables = new TreeSet<>();
        Map<TopicPartition, Long> begin = log.beginnings(partitions);
        Map<TopicPartition, Long> end = log.ends(partitions);
        for (TopicPartition tp : partitions) {
            Long stop = stops.get(tp);
            if (stop == null || tables.contains(tp.topic())) {
                continue;
            }
            boolean[] watermarkSeen = {false};
            boolean[] before = {false};
            boolean[] after = {false};
            long last = Math.min(end.get(tp), stop + WINDOW);
            log.read(tp, Math.max(begin.get(tp), stop - WINDOW), r -> {
                if (LogRecords.isWatermark(r)) {
                    watermarkSeen[0] = true;
                } else if (watermarkSeen[0] && "true".equals(LogRecords.header(r, LogHeaders.SNAPSHOT))) {
                    if (r.offset() <= stop) {
                        before[0] = true;
                    } else {
                        after[0] = true;
                    }
                }
                return r.offset() < last - 1 && !(before[0] && after[0]);
            });
            if (before[0] && after[0]) {
                tables.add(tp.topic());
            }
        }
        return tables;
    }
}
