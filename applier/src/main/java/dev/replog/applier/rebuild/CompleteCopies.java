package dev.replog.applier.rebuild;

import dev.replog.schemas.CompleteCopy;
import dev.replog.schemas.CompleteCopyFormat;
import dev.replog.schemas.EventFormatException;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The newest complete copy of each table, as capture recorded it in {@code <prefix>.copies}
 * (capture.refresh.interval.ms): where a row-mode rebuild can start the table's partitions instead of
 * offset 0. Read from the log alone, never from the leader.
 */
final class CompleteCopies {

    private CompleteCopies() {
    }

    /**
     * By table topic, the newest copy {@code usable} accepts (a point-in-time rebuild needs one complete
     * before its point; older records stay in the compacted topic until Kafka compacts them); empty if
     * the log has no copies topic (refresh copies were never on).
     */
    static Map<String, CompleteCopy> read(LogReader log, String copiesTopic, Predicate<CompleteCopy> usable) {
        Map<String, CompleteCopy> out = new HashMap<>();
        if (!log.topics().contains(copiesTopic)) {
            return out;
        }
        TopicPartition only = new TopicPartition(copiesTopic, 0);
        long begin = log.beginnings(List.of(only)).get(only);
        long end = log.ends(List.of(only)).get(only);
        if (begin >= end) {
            return out;
        }
        List<CompleteCopy> all = new ArrayList<>();
        log.read(only, begin, r -> {
            if (r.value() != null) {
                try {
                    all.add(CompleteCopyFormat.read(r.value()));
                } catch (EventFormatException e) {
                    // Not a record this version writes: a rebuild does without it.
                }
            }
            return r.offset() < end - 1;
        });
        // Tested once the read is over: usable may read the log too.
        for (CompleteCopy c : all) {
            if (usable.test(c)) {
                out.put(c.topic(), c); // later records are newer copies
            }
        }
        return out;
    }
}
