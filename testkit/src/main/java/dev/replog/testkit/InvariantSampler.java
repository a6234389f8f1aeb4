package dev.replog.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A reader that samples a follower continuously and checks an invariant that holds in every
 * committed leader state. The check is one SQL statement (so one snapshot of the follower)
 * returning {@code ok boolean, detail text}; {@code ok} NULL means "not applicable yet" (e.g. the
 * initial copy is still loading) and is not counted. A follower that is unreachable for a moment
 * (its applier being killed does not affect it, but a test may restart things) is sampled again.
 */
public final class InvariantSampler implements AutoCloseable {

    private static final int DETAILS_KEPT = 5;

    private final String jdbcUrl;
    private final String check;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong violations = new AtomicLong();
    private final List<String> firstViolations = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    private InvariantSampler(String name, String jdbcUrl, String check) {
        this.jdbcUrl = jdbcUrl;
        this.check = check;
        this.thread = new Thread(this::run, "invariant-" + name);
        this.thread.setDaemon(true);
    }

    public static InvariantSampler start(String name, String jdbcUrl, String check) {
        InvariantSampler s = new InvariantSampler(name, jdbcUrl, check);
        s.thread.start();
        return s;
    }

    private void run() {
        while (running.get()) {
            try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
                while (running.get()) {
                    sample(s);
                    // Paced: a reader, not a load generator competing with the applier for the CPU.
                    TimeUnit.MILLISECONDS.sleep(2);
                }
            } catch (SQLException e) {
                pause();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery(check)) {
            if (!rs.next()) {
                return;
            }
            boolean ok = rs.getBoolean(1);
            if (rs.wasNull()) {
                return;
            }
            samples.incrementAndGet();
            if (!ok) {
                violations.incrementAndGet();
                if (firstViolations.size() < DETAILS_KEPT) {
                    firstViolations.add(rs.getString(2));
                }
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) { // tables not created on the follower yet: not applicable
                throw e;
            }
        }
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Samples where the invariant was checked. */
    public long samples() {
        return samples.get();
    }

    public long violations() {
        return violations.get();
    }

    /** Details of the first few violations, as the check described them. */
    public List<String> firstViolations() {
        return List.copyOf(firstViolations);
    }

    public String summary() {
        long n = samples.get();
        return violations.get() + " of " + n + " samples violated the invariant ("
                + (n == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * violations.get() / n)) + ")"
                + (firstViolations.isEmpty() ? "" : "; first: " + firstViolations());
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
