package dev.replog.cli.progress;

import java.time.Duration;

/**
 * Progress of one long task at a time (a verify of a table, an initial snapshot, a rebuild, a
 * replay): a bar with rate and ETA on a terminal, plain log lines every few seconds otherwise.
 * Modules report through plain callbacks (e.g. a {@code LongConsumer} of units done) that a
 * command adapts to {@link #advance}; only the command line knows how it is shown.
 * {@link #advance} may be called from any thread.
 */
public interface Progress {

    /** How often the log form writes a line. */
    Duration LOG_INTERVAL = Duration.ofSeconds(5);

    /**
     * Starts a task.
     *
     * @param total an estimate of the units the task will do (it may do more); 0 or less if unknown
     * @param unit  what is counted, plural ({@code rows})
     */
    void start(String task, long total, String unit);

    /** {@code n} more units done. */
    void advance(long n);

    /** Ends the task (a bar is completed and left on its line). */
    void finish();

    /**
     * A bar when stdout is a terminal and progress is not turned off ({@code --no-progress}), log lines
     * otherwise.
     */
    static Progress forConsole(boolean noProgress) {
        return System.console() != null && !noProgress ? new BarProgress() : new LogProgress(LOG_INTERVAL);
    }
}
