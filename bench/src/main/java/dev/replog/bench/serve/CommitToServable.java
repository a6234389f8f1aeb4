package dev.replog.bench.serve;

import dev.replog.serve.client.ReplogReadClient;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Commit-to-servable lag under a steady leader load: one leader connection commits single-row
 * {@code UPDATE table SET value = <sequence number> WHERE id = <random key>} transactions at a fixed
 * rate; for every {@code sampleEvery}-th, the instant the commit returned is noted and a watcher
 * reads the key from the serve instance that owns its partition (routed by {@link ReplogReadClient},
 * plain reads without {@code min_lsn}) every {@code poll} until the value is at least that number.
 * A sample's lag is the answer's arrival minus the commit, so it includes one read; a sample never
 * seen within {@code visibleTimeout} counts as that timeout.
 */
final class CommitToServable {

    /** What one run measured. */
    record Outcome(int targetTps, double seconds, long commits, int sampleEvery, Latencies.Summary lag, long notVisible,
                   long visibleTimeoutSeconds, Slow slow, long readErrors, String firstReadError, Map<String, Long> answeredBy) {

        double tps() {
            return commits / seconds;
        }
    }

    /** The samples slower than a bound, and in which seconds of the phase (from 0) their writes were committed. */
    record Slow(Duration bound, long count, SortedSet<Integer> seconds) {
    }

    private final String table;
    private final long rows;
    private final Duration poll;
    private final Duration visibleTimeout;
    private final Duration slowBound;
    private long lastSequence;

    CommitToServable(String table, long rows, Duration poll, Duration visibleTimeout, Duration slowBound) {
        this.table = table;
        this.rows = rows;
        this.poll = poll;
        this.visibleTimeout = visibleTimeout;
        this.slowBound = slowBound;
    }

    /**
     * Writes through {@code leader} (autocommit) at {@code tps} for {@code duration}, reads through {@code serve};
     * {@code sampleEvery} 0 watches none (a warm-up).
     */
    Outcome run(Connection leader, ReplogReadClient serve, int tps, Duration duration, int sampleEvery)
            throws SQLException, InterruptedException {
        Latencies lags = new Latencies();
        AtomicLong notVisible = new AtomicLong();
        AtomicLong readErrors = new AtomicLong();
        StringBuilder firstReadError = new StringBuilder();
        Map<String, Long> answeredBy = new TreeMap<>();
        AtomicLong slow = new AtomicLong();
        SortedSet<Integer> slowSeconds = new TreeSet<>();
        ExecutorService watchers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "serve-bench-watcher");
            t.setDaemon(true);
            return t;
        });
        leader.setAutoCommit(true);
        long started = System.nanoTime();
        long commits = 0;
        try (PreparedStatement update = leader.prepareStatement("UPDATE " + table + " SET value = ? WHERE id = ?")) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (System.nanoTime() - started < duration.toNanos()) {
                long sequence = ++lastSequence; // across runs: a key's value only grows
                long key = 1 + random.nextLong(rows);
                update.setLong(1, sequence);
                update.setLong(2, key);
                update.executeUpdate();
                long committed = System.nanoTime();
                commits++;
                if (sampleEvery > 0 && commits % sampleEvery == 0) {
                    watchers.execute(() -> {
                        Watch w = watch(serve, key, sequence, committed);
                        synchronized (lags) {
                            if (w.lagNanos < 0 || w.lagNanos > slowBound.toNanos()) {
                                slow.incrementAndGet();
                                slowSeconds.add((int) ((committed - started) / 1_000_000_000L));
                            }
                            if (w.lagNanos >= 0) {
                                lags.add(w.lagNanos);
                                answeredBy.merge(w.servedBy, 1L, Long::sum);
                            } else { // counted at the timeout: a lower bound of its lag, not left out
                                lags.add(visibleTimeout.toNanos());
                                notVisible.incrementAndGet();
                            }
                            readErrors.addAndGet(w.errors);
                            if (w.firstError != null && firstReadError.length() == 0) {
                                firstReadError.append(w.firstError);
                            }
                        }
                    });
                }
                long early = started + commits * 1_000_000_000L / tps - System.nanoTime();
                if (early > 0) {
                    LockSupport.parkNanos(early);
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        watchers.shutdown();
        if (!watchers.awaitTermination(visibleTimeout.toSeconds() + 30, TimeUnit.SECONDS)) {
            watchers.shutdownNow();
        }
        synchronized (lags) {
            return new Outcome(tps, seconds, commits, sampleEvery, lags.summary(), notVisible.get(), visibleTimeout.toSeconds(),
                    new Slow(slowBound, slow.get(), new TreeSet<>(slowSeconds)), readErrors.get(),
                    firstReadError.length() == 0 ? null : firstReadError.toString(), Map.copyOf(answeredBy));
        }
    }

    private record Watch(long lagNanos, String servedBy, long errors, String firstError) {
    }

    /** Reads the key until it shows {@code sequence} or a later value; lag -1 if it did not in time. */
    private Watch watch(ReplogReadClient serve, long key, long sequence, long committedNanos) {
        long errors = 0;
        String firstError = null;
        while (true) {
            try {
                ReplogReadClient.Result r = serve.read(table, List.of(Long.toString(key)), null);
                long answered = System.nanoTime();
                if (r.found() && Long.parseLong(r.row().get("value")) >= sequence) {
                    return new Watch(answered - committedNanos, r.servedBy(), errors, firstError);
                }
            } catch (RuntimeException e) {
                errors++;
                firstError = firstError == null ? e.toString() : firstError;
            }
            if (System.nanoTime() - committedNanos > visibleTimeout.toNanos()) {
                return new Watch(-1, null, errors, firstError);
            }
            LockSupport.parkNanos(poll.toNanos());
        }
    }
}
