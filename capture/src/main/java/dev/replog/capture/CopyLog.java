package dev.replog.capture;

import dev.replog.schemas.CompleteCopy;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Which copies of tables are complete in the log, and where each starts: what {@code <prefix>.copies}
 * records (capture.refresh.interval.ms). {@link LogPublisher} tells it where a copy's start markers
 * landed, once their Kafka transaction committed; Debezium's notifications (passed on to
 * {@link CopyProgress}) tell it when the table was read to its end. A copy complete whose start this
 * capture never saw (it was restarted during the copy, and Debezium resumed the copy from its offsets)
 * cannot be recorded: it is handed to {@code recopy}, which asks for another copy.
 * Tables as Debezium names them ({@code schema.table}).
 */
final class CopyLog implements CopyNotifications.Listener {

    private static final Logger log = LoggerFactory.getLogger(CopyLog.class);
    /** How long a completion waits for its start: the request precedes every row of the copy in Debezium's queue. */
    private static final Duration START_WAIT = Duration.ofSeconds(60);

    /** A copy's start as published: its id, topic, marker offsets per partition and the request's LSN. */
    record Start(TableId table, String copyId, String topic, Map<Integer, Long> offsets, Lsn lsn) {
    }

    /** @param requestId the request Debezium named when it reported the table read */
    private record Completion(String table, Instant at, String requestId) {
    }

    private final CopyNotifications.Listener progress;
    private final Consumer<TableId> recopy;
    /**
     * Per table, the starts not yet paired with a completion, oldest first. A completion is paired with
     * the oldest: a copy requested again while one runs is queued by Debezium and completes later, and
     * a start paired too early would be safe anyway (a replay from an earlier point only reads more),
     * while one paired too late would miss rows.
     */
    private final Map<String, Deque<Start>> starts = new HashMap<>();
    private final List<Completion> completions = new ArrayList<>();

    CopyLog(CopyNotifications.Listener progress, Consumer<TableId> recopy) {
        this.progress = progress;
        this.recopy = recopy;
    }

    @Override
    public void chunkRead(String table, boolean initial) {
        progress.chunkRead(table, initial);
    }

    @Override
    public void tableRead(String table, boolean initial, long rowsRead, String status) {
        tableRead(table, initial, rowsRead, status, null);
    }

    @Override
    public void tableRead(String table, boolean initial, long rowsRead, String status, String requestId) {
        progress.tableRead(table, initial, rowsRead, status);
        if (!initial && CopyProgress.COMPLETE.contains(status)) {
            synchronized (this) {
                completions.add(new Completion(table, Instant.now(), requestId));
            }
        }
    }

    /** These copies (from {@link #complete}) are in {@code <prefix>.copies}: a failed batch leaves them to the next one. */
    synchronized void recorded(List<CompleteCopy> copies) {
        for (CompleteCopy copy : copies) {
            String table = copy.table().schema() + "." + copy.table().table();
            Deque<Start> pending = starts.get(table);
            if (pending != null && !pending.isEmpty() && pending.peekFirst().copyId().equals(copy.copyId())) {
                pending.removeFirst();
            }
            completions.removeIf(c -> c.table().equals(table) && c.at().equals(copy.completedAt()));
        }
    }

    /** A copy's start markers are in the log (their Kafka transaction committed). */
    synchronized void started(Start start) {
        starts.computeIfAbsent(start.table().schema() + "." + start.table().table(), t -> new ArrayDeque<>()).add(start);
    }

    /**
     * The copies complete whose start is known, to be written to {@code <prefix>.copies} (at most one per
     * table per call). Debezium queues the last chunk's rows before it reports the table read: they are
     * published in the batch that writes the record or just after it (schemas/README.md, "Copies").
     *
     * @param publishedLsn how far capture has published: the copies' end
     */
    synchronized List<CompleteCopy> complete(Lsn publishedLsn) {
        List<CompleteCopy> out = new ArrayList<>();
        Set<String> paired = new HashSet<>();
        Instant now = Instant.now();
        for (Iterator<Completion> it = completions.iterator(); it.hasNext(); ) {
            Completion c = it.next();
            Deque<Start> pending = starts.getOrDefault(c.table(), new ArrayDeque<>());
            // Only a completion Debezium names one of the starts this capture saw is paired, and then with the
            // oldest of them: a copy resumed after a restart names a request whose start this capture never saw.
            boolean known = pending.stream().anyMatch(s -> s.copyId().equals(c.requestId()));
            if (known && paired.add(c.table())) {
                Start s = pending.peekFirst();
                out.add(CompleteCopy.of(s.table(), s.copyId(), s.topic(), s.offsets(), s.lsn(),
                        publishedLsn.isAfter(s.lsn()) ? publishedLsn : s.lsn(), c.at()));
            } else if (!known && Duration.between(c.at(), now).compareTo(START_WAIT) > 0) {
                it.remove();
                int dot = c.table().indexOf('.');
                TableId table = new TableId(c.table().substring(0, dot), c.table().substring(dot + 1));
                log.warn("copy of table {} is complete, but this capture did not see where it started (it was restarted "
                        + "during the copy): not recorded as a complete copy; copying it again", c.table());
                recopy.accept(table);
            }
        }
        return out;
    }
}
