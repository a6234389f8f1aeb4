package dev.replog.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The fallback when no pgbench binary is available: pgbench's tables, its server-side data
 * generation and its TPC-B-like transaction (the same five statements, same value ranges), run by
 * one JDBC connection per client. A fixed rate is paced evenly per client, where pgbench draws
 * Poisson-distributed start times.
 */
final class JavaTpcb implements TpcbDriver {

    private static final String[] CREATE = {
        "DROP TABLE IF EXISTS \"pgbench_accounts\", \"pgbench_branches\", \"pgbench_history\", \"pgbench_tellers\"",
        "CREATE TABLE \"pgbench_history\" (\"tid\" int, \"bid\" int, \"aid\" int, \"delta\" int, \"mtime\" timestamp, \"filler\" char(22))",
        "CREATE TABLE \"pgbench_tellers\" (\"tid\" int NOT NULL, \"bid\" int, \"tbalance\" int, \"filler\" char(84)) WITH (fillfactor = 100)",
        "CREATE TABLE \"pgbench_accounts\" (\"aid\" int NOT NULL, \"bid\" int, \"abalance\" int, \"filler\" char(84)) WITH (fillfactor = 100)",
        "CREATE TABLE \"pgbench_branches\" (\"bid\" int NOT NULL, \"bbalance\" int, \"filler\" char(88)) WITH (fillfactor = 100)",
    };
    private static final String[] KEYS = {
        "ALTER TABLE \"pgbench_branches\" ADD PRIMARY KEY (\"bid\")",
        "ALTER TABLE \"pgbench_tellers\" ADD PRIMARY KEY (\"tid\")",
        "ALTER TABLE \"pgbench_accounts\" ADD PRIMARY KEY (\"aid\")",
    };

    private final String description;

    JavaTpcb(String description) {
        this.description = description;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void initialize(BenchDatabase leader, int scale) throws Exception {
        leader.execute(CREATE);
        try (Connection c = leader.connect()) {
            WorkloadRun.update(c, "INSERT INTO \"pgbench_branches\" (\"bid\", \"bbalance\") SELECT g, 0 FROM generate_series(1, ?) g", scale);
            WorkloadRun.update(c, "INSERT INTO \"pgbench_tellers\" (\"tid\", \"bid\", \"tbalance\") "
                    + "SELECT g, (g - 1) / 10 + 1, 0 FROM generate_series(1, ?) g", 10 * scale);
            WorkloadRun.update(c, "INSERT INTO \"pgbench_accounts\" (\"aid\", \"bid\", \"abalance\", \"filler\") "
                    + "SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series(1, ?) g", 100_000 * scale);
        }
        leader.execute("VACUUM ANALYZE");
        leader.execute(KEYS);
        TpcbDriver.addHistoryKey(leader);
    }

    @Override
    public void createSchema(BenchDatabase follower, int scale) throws Exception {
        follower.execute(CREATE);
        follower.execute(KEYS);
        TpcbDriver.addHistoryKey(follower);
    }

    @Override
    public double run(BenchDatabase leader, int clients, Duration duration, int rate) throws Exception {
        int scale = (int) leader.queryLong("SELECT count(*) FROM \"pgbench_branches\"");
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        AtomicLong transactions = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            long intervalNanos = rate > 0 ? (long) (1e9 * clients / rate) : 0;
            Thread t = new Thread(() -> {
                try {
                    client(leader, scale, end, intervalNanos, transactions);
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            }, "tpcb-client-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new BenchFailure("TPC-B client failed: " + failure.get().getMessage(), failure.get());
        }
        return transactions.get() / Poll.secondsSince(start, System.nanoTime());
    }

    private static void client(BenchDatabase leader, int scale, long end, long intervalNanos, AtomicLong count)
            throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Connection c = leader.connect();
             PreparedStatement account = c.prepareStatement("UPDATE \"pgbench_accounts\" SET \"abalance\" = \"abalance\" + ? WHERE \"aid\" = ?");
             PreparedStatement balance = c.prepareStatement("SELECT \"abalance\" FROM \"pgbench_accounts\" WHERE \"aid\" = ?");
             PreparedStatement teller = c.prepareStatement("UPDATE \"pgbench_tellers\" SET \"tbalance\" = \"tbalance\" + ? WHERE \"tid\" = ?");
             PreparedStatement branch = c.prepareStatement("UPDATE \"pgbench_branches\" SET \"bbalance\" = \"bbalance\" + ? WHERE \"bid\" = ?");
             PreparedStatement history = c.prepareStatement("INSERT INTO \"pgbench_history\" (\"tid\", \"bid\", \"aid\", \"delta\", \"mtime\") "
                     + "VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
            c.setAutoCommit(false);
            long next = System.nanoTime();
            while (System.nanoTime() < end) {
                if (intervalNanos > 0) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    next += intervalNanos;
                }
                int aid = random.nextInt(1, 100_000 * scale + 1);
                int bid = random.nextInt(1, scale + 1);
                int tid = random.nextInt(1, 10 * scale + 1);
                int delta = random.nextInt(-5000, 5001);
                bind(account, delta, aid).executeUpdate();
                balance.setInt(1, aid);
                try (ResultSet rs = balance.executeQuery()) {
                    rs.next();
                }
                bind(teller, delta, tid).executeUpdate();
                bind(branch, delta, bid).executeUpdate();
                history.setInt(1, tid);
                history.setInt(2, bid);
                history.setInt(3, aid);
                history.setInt(4, delta);
                history.executeUpdate();
                c.commit();
                count.incrementAndGet();
            }
        }
    }

    private static PreparedStatement bind(PreparedStatement ps, int a, int b) throws SQLException {
        ps.setInt(1, a);
        ps.setInt(2, b);
        return ps;
    }
}
