package dev.replog.applier.rebuild;

import dev.replog.applier.ApplyException;
import dev.replog.applier.LogRecords;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.schemas.ChangeEvent;
import dev.replog.schemas.CompleteCopy;
import dev.replog.schemas.EventFormatException;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.Watermark;
import dev.replog.schemas.compact.LogDecoder;
import dev.replog.topology.Backoff;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where a transactional rebuild that starts from the tables' copies hands over from its row-mode
 * replay to {@code TransactionalApply}: a watermark L of capture's that every replayed partition
 * holds at or after its start, committed after every copy the replay starts from was complete.
 * Before a watermark L, a partition holds every event of the table of each transaction committed at
 * or before L and nothing else transactional (schemas/README.md, "Watermark"), so a partition
 * replayed up to it has every key at its value after those transactions, and the copy's rows are all
 * in it (docs/rebuild.md, "Retention").
 *
 * <p>When a copy is complete is known to capture by its clock ({@code completed_ts_ms}) and how far it
 * had published ({@code end_lsn}); the copy's last rows may still be in capture's queue then, ahead of
 * every transaction the leader commits afterwards. So L must be after {@code end_lsn} and committed
 * (by the leader's clock, the watermark's {@code ts_ms}) at least {@link #CLOCK_MARGIN} after the
 * copy completed: the leader's and capture's clocks must agree within that margin.
 *
 * @param lsn        L
 * @param commitTime when the leader committed L
 * @param offsets    per partition, the offset of a watermark L in it
 */
record CopyCut(Lsn lsn, Instant commitTime, Map<TopicPartition, Long> offsets) {

    static final Duration CLOCK_MARGIN = Duration.ofSeconds(2);
    /** New watermarks come at least every capture.heartbeat.interval.ms while capture runs. */
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final long FIRST_WINDOW = 4096;
    /** Watermarks come every capture.watermark.interval.ms (default 100) while the leader commits. */
    private static final Duration WATERMARK_SLACK = Duration.ofSeconds(1);

    /**
     * Whether a point-in-time rebuild can start from this copy: it completed (with a margin for the
     * clocks and for the next watermarks) before the point's last transaction.
     */
    static boolean completeBefore(CompleteCopy copy, PointInTime point) {
        return point.last().isAfter(copy.endLsn())
                && !copy.completedAt().plus(CLOCK_MARGIN).plus(WATERMARK_SLACK).isAfter(point.lastCommitted());
    }

    /** A watermark seen in a partition: its offset and commit time. */
    private record Seen(long offset, Instant commitTime) {
    }

    /**
     * @param starts   per replayed partition, its first offset replayed
     * @param copies   the copies the replay starts from
     * @param notAfter null: the newest possible L; else the newest at or before it (a point-in-time rebuild)
     */
    static CopyCut find(LogReader log, Map<TopicPartition, Long> starts, Collection<CompleteCopy> copies, Lsn notAfter) {
        Lsn afterLsn = Lsn.ZERO;
        Instant afterTime = Instant.EPOCH;
        for (CompleteCopy c : copies) {
            afterLsn = c.endLsn().isAfter(afterLsn) ? c.endLsn() : afterLsn;
            Instant t = c.completedAt().plus(CLOCK_MARGIN);
            afterTime = t.isAfter(afterTime) ? t : afterTime;
        }
        List<TopicPartition> partitions = List.copyOf(starts.keySet());
        long deadline = System.nanoTime() + WAIT.toNanos();
        long window = FIRST_WINDOW;
        while (true) {
            Map<TopicPartition, Long> begin = log.beginnings(partitions);
            Map<TopicPartition, Long> end = log.ends(partitions);
            TreeMap<Lsn, Map<TopicPartition, Seen>> held = new TreeMap<>();
            boolean whole = true;
            for (TopicPartition tp : partitions) {
                long first = Math.max(starts.get(tp), begin.get(tp));
                long from = Math.max(first, end.get(tp) - window);
                whole &= from == first;
                watermarks(log, tp, from, end.get(tp)).forEach((w, seen) ->
                        held.computeIfAbsent(w, k -> new HashMap<>()).put(tp, seen));
            }
            CopyCut best = null;
            for (Map.Entry<Lsn, Map<TopicPartition, Seen>> e : held.entrySet()) {
                Lsn w = e.getKey();
                if (e.getValue().size() < partitions.size() || !w.isAfter(afterLsn)
                        || (notAfter != null && w.isAfter(notAfter))) {
                    continue;
                }
                Instant committed = e.getValue().values().iterator().next().commitTime();
                if (committed.isBefore(afterTime)) {
                    continue;
                }
                Map<TopicPartition, Long> offsets = new HashMap<>();
                e.getValue().forEach((tp, seen) -> offsets.put(tp, seen.offset()));
                best = new CopyCut(w, committed, offsets); // ascending: the last one is the newest
            }
            if (best != null) {
                return best;
            }
            boolean olderWanted = held.isEmpty() || (notAfter != null && held.firstKey().isAfter(notAfter));
            if (!whole && olderWanted) {
                window *= 8; // the tail read holds no candidate yet: read further back
                continue;
            }
            if (notAfter != null && !held.isEmpty() && held.lastKey().isAfter(notAfter)) {
                throw new ApplyException("LSN " + notAfter + " is before this log's reach: a transactional replay of it "
                        + "starts from the tables' refresh copies, and the last of " + describe(copies) + " completed at "
                        + "LSN " + afterLsn + " (" + afterTime.minus(CLOCK_MARGIN) + "); a point must be committed after "
                        + "that (docs/rebuild.md, \"Retention\")");
            }
            if (System.nanoTime() > deadline) {
                throw new ApplyException("no watermark of capture's in every table partition is after the copies the "
                        + "rebuild starts from (" + describe(copies) + ", complete at LSN " + afterLsn + ", "
                        + afterTime.minus(CLOCK_MARGIN) + "): waited " + WAIT.toSeconds() + " s. Is capture running "
                        + "(with capture.watermark.interval.ms > 0)?");
            }
            Backoff.sleep(Duration.ofMillis(500));
        }
    }

    /** The watermarks of a partition between two offsets, each at its first offset there. */
    private static Map<Lsn, Seen> watermarks(LogReader log, TopicPartition tp, long from, long end) {
        Map<Lsn, Seen> out = new HashMap<>();
        if (from >= end) {
            return out;
        }
        LogDecoder decoder = log.decoder();
        log.read(tp, from, r -> {
            if (LogRecords.isWatermark(r) && r.value() != null) {
                try {
                    ChangeEvent e = decoder.decode(r.key(), r.value());
                    if (e instanceof Watermark w) {
                        out.putIfAbsent(w.lsn(), new Seen(r.offset(), w.commitTime()));
                    }
                } catch (EventFormatException ignored) {
                    // Not a watermark this version reads: not a cut.
                }
            }
            return r.offset() < end - 1;
        });
        return out;
    }

    private static String describe(Collection<CompleteCopy> copies) {
        Set<String> tables = new HashSet<>();
        copies.forEach(c -> tables.add(PoisonEvent.tableOfTopic(c.topic()) + " (copy " + c.copyId() + ")"));
        return copies.isEmpty() ? "no copy" : "the copies of " + String.join(", ", new TreeSet<>(tables));
    }
}
