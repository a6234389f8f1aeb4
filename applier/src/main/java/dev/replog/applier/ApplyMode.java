package dev.replog.applier;

/** How a follower applies the log (config key {@code apply.mode}). */
public enum ApplyMode {
    /**
     * Partitions applied independently, each in log order, one follower transaction per poll: the
     * follower converges to the leader, and may briefly show cross-table states the leader never had.
     */
    ROW,
    /** Every leader transaction applied atomically, in commit order: consistent prefix reads. */
    TRANSACTIONAL
}
