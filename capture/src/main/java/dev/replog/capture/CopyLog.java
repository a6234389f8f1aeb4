package dev.replog.capture;

import dev.replog.schemas.CompleteCopy;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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

    private record Completion(String table, Instant at) {
    }

    private final CopyNotifications.Listener progress;
    private final Consumer<TableId> recopy;
    private final Map<String, Start> starts = new HashMap<>();
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
        progress.tableRead(table, initial, rowsRead, status);
        if (!initial && CopyProgress.COMPLETE.contains(status)) {
            synchronized (this) {
                completions.add(new Completion(table, Instant.now()));
            }
        }
    }

    /** These copies (from {@link #complete}) are in {@code <prefix>.copies}: a failed batch leaves them to the next one. */
    synchronized void recorded(List<CompleteCopy> copies) {
        for (CompleteCopy copy : copies) {
            String table = copy.table().schema() + "." + copy.table().table();
            Start s = starts.get(table);
            if (s != null && s.copyId().equals(copy.copyId())) {
                starts.remove(table);
            }
            completions.removeIf(c -> c.table().equals(table) && c.at().equals(copy.completedAt()));
        }
    }

    /** A copy's start markers are in the log (their Kafka transaction committed). */
    synchronized void started(Start start) {
        starts.put(start.table().schema() + "." + start.table().table(), start);
    }

    /**
     * The copies complete since the last call whose start is known, to be written to {@code <prefix>.copies};
     * every row of them was handed to capture before the completion (Debezium queues a chunk's rows before
     * it reports the table read), so the batch that writes them follows those rows.
     *
     * @param publishedLsn how far capture has published: the copies' end
     */
    synchronized List<CompleteCopy> complete(Lsn publishedLsn) {
        List<CompleteCopy> out = new ArrayList<>();
        Instant now = Instant.now();
        for (Iterator<Completion> it = completions.iterator(); it.hasNext(); ) {
            Completion c = it.next();
            Start s = starts.get(c.table());
            if (s != null) {
                out.add(CompleteCopy.of(s.table(), s.copyId(), s.topic(), s.offsets(), s.lsn(),
                        publishedLsn.isAfter(s.lsn()) ? publishedLsn : s.lsn(), c.at()));
            } else if (Duration.between(c.at(), now).compareTo(START_WAIT) > 0) {
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
