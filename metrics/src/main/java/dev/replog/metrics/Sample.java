package dev.replog.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/** A measurement {@link ServiceMetrics#every taken periodically}, and whether the last one worked. */
public final class Sample {

    /** One measurement: reads figures from elsewhere and stores them where the meters read them. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(Sample.class);

    private final String what;
    private final Task task;
    private final Duration period;
    private volatile long lastSuccessNanos;
    private volatile boolean measured;
    private volatile String failure;

    Sample(String what, Task task, Duration period) {
        this.what = what;
        this.task = task;
        this.period = period;
    }

    void run() {
        try {
            task.run();
            lastSuccessNanos = System.nanoTime();
            measured = true;
            if (failure != null) {
                log.info("metrics: {} can be measured again", what);
                failure = null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | LinkageError e) {
            if (failure == null) {
                log.warn("metrics: cannot measure {}: {}", what, e.getMessage());
            }
            failure = String.valueOf(e.getMessage());
        }
    }

    /**
     * Up once measured and as long as the last measurement worked; down before the first one, and
     * when the last one failed or none has ended for three periods (one is hanging).
     */
    public Health health() {
        String f = failure;
        if (f != null) {
            return Health.down("cannot measure " + what + ": " + f);
        }
        if (!measured) {
            return Health.down("not measured " + what + " yet");
        }
        long age = System.nanoTime() - lastSuccessNanos;
        // Generous: a measurement may wait up to a client timeout on a busy server.
        if (age > period.multipliedBy(3).plusSeconds(30).toNanos()) {
            return Health.down("no measurement of " + what + " for " + Duration.ofNanos(age).toSeconds() + " s");
        }
        return Health.up("measured " + what);
    }
}
