package dev.replog.applier;

/**
 * One apply mode's engine: consumes the log and writes the follower on the applier thread until
 * the service stops it. {@link ApplierService} owns the lifecycle (pool, consumer, thread, exit);
 * a loop owns positioning, batching, retries and poison events for its mode.
 */
public interface ApplyLoop {

    /** Runs until stopping; returns normally once stopped, throws if it cannot go on. */
    void run();
}
