package dev.replog.applier.rebuild;

import dev.replog.applier.ApplyException;
import dev.replog.applier.LogRecords;
import dev.replog.schemas.Lsn;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;

/**
 * The point a live rebuild replays to before it reports the follower rebuilt: the newest watermark
 * of capture's that every replayed partition has reached (schemas/README.md "Watermark"), so every
 * leader transaction committed at or before it is in what the replay reads. Each partition's last
 * watermark is found by reading its tail, a growing window back from its end.
 */
final class LogCut {

    private static final long FIRST_WINDOW = 512;

    private LogCut() {
    }

    static Lsn of(LogReader log, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> begin = log.beginnings(partitions);
        Map<TopicPartition, Long> end = log.ends(partitions);
        Lsn cut = null;
        for (TopicPartition tp : partitions) {
            Lsn last = lastWatermark(log, tp, begin.get(tp), end.get(tp));
            if (last == null) {
                throw new ApplyException("topic " + tp.topic() + " partition " + tp.partition() + " holds no watermark of "
                        + "capture's (offsets " + begin.get(tp) + " to " + end.get(tp) + "): a rebuild cannot tell how far "
                        + "it is complete. Start capture (with capture.watermark.interval.ms > 0) and rebuild again");
            }
            cut = cut == null || cut.isAfter(last) ? last : cut;
        }
        return cut;
    }

    private static Lsn lastWatermark(LogReader log, TopicPartition tp, long begin, long end) {
        for (long window = FIRST_WINDOW; ; window *= 8) {
            long from = Math.max(begin, end - window);
            Lsn[] highest = {null};
            log.read(tp, from, r -> {
                Lsn w = LogRecords.isWatermark(r) ? LogRecords.watermark(r) : null;
                if (w != null && (highest[0] == null || w.isAfter(highest[0]))) {
                    highest[0] = w;
                }
                return r.offset() < end - 1;
            });
            if (highest[0] != null || from == begin) {
                return highest[0];
            }
        }
    }
}
