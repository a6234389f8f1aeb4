package dev.replog.applier.verify;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed number of workers, each with its own leader and follower connection, that compare key
 * ranges in parallel. {@link #submit} blocks while every worker is busy, so whoever walks the keys
 * stays at most one range ahead of them: memory does not grow with the table.
 */
final class ChunkWorkers implements AutoCloseable {

    /** One worker's connections. */
    record Sides(Connection leader, Connection follower) {
    }

    interface Task {
        void run(Sides sides) throws Exception;
    }

    private final List<Sides> all = new ArrayList<>();
    private final BlockingQueue<Sides> idle;
    private final ExecutorService pool;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    ChunkWorkers(SqlConnector leader, SqlConnector follower, int workers) throws SQLException {
        this.idle = new ArrayBlockingQueue<>(workers);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "replog-verify-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < workers; i++) {
                Sides s = new Sides(open(leader), open(follower));
                all.add(s);
                idle.add(s);
            }
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    /** A connection whose range queries scan the primary-key index, even on a table not yet analyzed. */
    static Connection open(SqlConnector connector) throws SQLException {
        Connection c = connector.open();
        try (Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
        }
        return c;
    }

    /** Runs the task on the next idle worker, waiting for one; after a failure, nothing more is run. */
    void submit(Task task) throws InterruptedException {
        Sides sides = idle.take();
        if (failure.get() != null) {
            idle.add(sides);
            return;
        }
        pool.execute(() -> {
            try {
                task.run(sides);
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            } finally {
                idle.add(sides);
            }
        });
    }

    /** Waits until every task submitted so far has ended; throws the first failure, if any. */
    void awaitIdle() throws Exception {
        List<Sides> taken = new ArrayList<>(all.size());
        try {
            for (int i = 0; i < all.size(); i++) {
                taken.add(idle.take());
            }
        } finally {
            idle.addAll(taken);
        }
        Exception e = failure.getAndSet(null);
        if (e != null) {
            throw e;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        for (Sides s : all) {
            for (Connection c : List.of(s.leader(), s.follower())) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing: nothing left to do with it
                }
            }
        }
    }
}
