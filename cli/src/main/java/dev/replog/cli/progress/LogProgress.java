package dev.replog.cli.progress;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Progress} as log lines, for output that is not a terminal: every interval while a task
 * runs, {@code task: done/total unit (p%), rate unit/s, ETA m:ss}; a task that ends before the first
 * line writes none.
 */
final class LogProgress implements Progress {

    private static final Logger log = LoggerFactory.getLogger("dev.replog.progress");

    private final Duration interval;
    private final AtomicLong done = new AtomicLong();
    private ScheduledExecutorService ticker;
    private String task;
    private String unit;
    private long total;
    private long startNanos;
    private boolean reported;

    LogProgress(Duration interval) {
        this.interval = interval;
    }

    @Override
    public synchronized void start(String task, long total, String unit) {
        finish();
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.startNanos = System.nanoTime();
        this.reported = false;
        done.set(0);
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replog-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void advance(long n) {
        done.addAndGet(n);
    }

    @Override
    public synchronized void finish() {
        if (ticker == null) {
            return;
        }
        ticker.shutdownNow();
        ticker = null;
        if (reported) {
            log.info("{}: done, {}", task, line(done.get(), System.nanoTime() - startNanos, done.get(), unit));
        }
    }

    private synchronized void report() {
        if (ticker == null) {
            return;
        }
        reported = true;
        log.info("{}: {}", task, line(done.get(), System.nanoTime() - startNanos, total, unit));
    }

    /** {@code 1200/5000 rows (24%), 400 rows/s, ETA 0:09}; without a total, count and rate only. */
    static String line(long done, long elapsedNanos, long total, String unit) {
        double seconds = Math.max(elapsedNanos / 1e9, 1e-3);
        long rate = Math.round(done / seconds);
        StringBuilder sb = new StringBuilder();
        sb.append(done);
        if (total > 0) {
            sb.append('/').append(Math.max(total, done));
        }
        sb.append(' ').append(unit);
        if (total > 0) {
            sb.append(" (").append(Math.min(100, done * 100 / total)).append("%)");
        }
        sb.append(", ").append(rate).append(' ').append(unit).append("/s");
        if (total > 0 && rate > 0 && done < total) {
            long eta = (total - done) / rate;
            sb.append(", ETA ").append(eta / 60).append(':').append(String.format("%02d", eta % 60));
        }
        return sb.toString();
    }
}
