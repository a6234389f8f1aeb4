package dev.replog.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Commit-to-visible lag, measured from outside both systems the same way: every 100 ms a writer
 * commits a marker row on the leader and notes when the commit returned; a reader polls the
 * follower every 2 ms for markers it has not seen and notes when each first appears. A marker's
 * lag is the difference, so it includes everything between the leader's commit and a reader of
 * the follower seeing the row, and is at most ~2 ms (one poll) too high.
 */
final class LagProbe implements AutoCloseable {

    static final String TABLE = "bench_probe";
    static final String DDL = "CREATE TABLE \"" + TABLE + "\" (\"id\" bigint PRIMARY KEY, "
            + "\"committed_at\" timestamptz NOT NULL DEFAULT clock_timestamp())";
    private static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final long firstId;
    private final long startedNanos;
    private final Map<Long, Long> committed = new ConcurrentHashMap<>();
    private final Map<Long, Long> visible = new ConcurrentHashMap<>();
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread writer;
    private final Thread reader;
    private volatile long lastId;

    private LagProbe(BenchDatabase leader, BenchDatabase follower, long firstId) {
        this.firstId = firstId;
        this.lastId = firstId - 1;
        this.startedNanos = System.nanoTime();
        this.writer = new Thread(() -> guarded(() -> write(leader)), "lag-probe-writer");
        this.reader = new Thread(() -> guarded(() -> read(follower)), "lag-probe-reader");
    }

    /** Starts writing markers with ids from {@code firstId} (unique per run) and watching for them. */
    static LagProbe start(BenchDatabase leader, BenchDatabase follower, long firstId) {
        LagProbe probe = new LagProbe(leader, follower, firstId);
        probe.reader.start();
        probe.writer.start();
        return probe;
    }

    /** Stops committing markers; the reader goes on until {@link #awaitAll} has seen every one. */
    void stopWriting() throws InterruptedException {
        writing.set(false);
        writer.join();
        rethrow();
    }

    /** Waits until the follower has shown every committed marker: it has then caught up with the run. */
    void awaitAll(Duration timeout, Runnable guard) {
        Poll.until("the follower shows every lag marker", timeout, Duration.ofMillis(50), () -> {
            guard.run();
            rethrow();
        }, () -> visible.keySet().containsAll(committed.keySet()));
    }

    /** Lag of every marker, in commit order. */
    LagSeries series(ReplicationKind kind, String run) {
        List<LagSeries.Sample> samples = new ArrayList<>();
        for (long id = firstId; id <= lastId; id++) {
            Long c = committed.get(id);
            Long v = visible.get(id);
            if (c != null && v != null) {
                // The reader can see a marker before the writer's commit call returns; that is no lag.
                samples.add(new LagSeries.Sample((c - startedNanos) / 1e9, Math.max(0, v - c) / 1e6));
            }
        }
        return new LagSeries(kind, run, samples);
    }

    @Override
    public void close() throws InterruptedException {
        writing.set(false);
        reading.set(false);
        writer.join();
        reader.join();
    }

    private void write(BenchDatabase leader) throws SQLException {
        try (Connection c = leader.connect();
             PreparedStatement insert = c.prepareStatement("INSERT INTO \"" + TABLE + "\" (\"id\") VALUES (?)")) {
            long next = System.nanoTime();
            for (long id = firstId; writing.get(); id++) {
                insert.setLong(1, id);
                insert.executeUpdate();
                committed.put(id, System.nanoTime());
                lastId = id;
                next += INTERVAL_NANOS;
                LockSupport.parkNanos(next - System.nanoTime());
            }
        }
    }

    private void read(BenchDatabase follower) throws SQLException {
        long floor = firstId;
        while (reading.get()) {
            try (Connection c = follower.connect();
                 PreparedStatement poll = c.prepareStatement("SELECT \"id\" FROM \"" + TABLE + "\" WHERE \"id\" >= ? AND \"id\" <= ?")) {
                while (reading.get()) {
                    poll.setLong(1, floor);
                    poll.setLong(2, lastId);
                    try (ResultSet rs = poll.executeQuery()) {
                        long now = System.nanoTime();
                        while (rs.next()) {
                            visible.putIfAbsent(rs.getLong(1), now);
                        }
                    }
                    while (visible.containsKey(floor)) {
                        floor++;
                    }
                    LockSupport.parkNanos(POLL_NANOS);
                }
            } catch (SQLException e) {
                // Only before the applier has created the table on the follower: poll again.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private void guarded(Body body) {
        try {
            body.run();
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    private void rethrow() {
        Exception e = failure.get();
        if (e != null) {
            throw new BenchFailure("lag probe failed: " + e.getMessage(), e);
        }
    }
}
