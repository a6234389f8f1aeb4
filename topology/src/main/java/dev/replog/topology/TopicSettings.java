package dev.replog.topology;

/**
 * Layout of table topics.
 *
 * @param partitions        partitions per table topic; a key always maps to the same partition
 * @param replicationFactor replicas of each partition
 * @param retentionMs       how long table topics (and the transactions and heartbeat topics) keep
 *                          events; -1 keeps the whole history
 * @param rebuildFromLog    followers are rebuilt from the log: its topics must keep the whole history,
 *                          or, with refresh copies, a window of at least {@link #minimumWindowMs()};
 *                          topics that lose more (shorter or size-limited retention, compaction) are
 *                          refused, naming topic and setting (see {@link LogRetention})
 * @param refreshMs         capture copies every captured table again once per this interval, so that
 *                          the log holds a complete copy of each within a finite window; 0: never
 */
public record TopicSettings(int partitions, short replicationFactor, long retentionMs, boolean rebuildFromLog, long refreshMs) {

    public TopicSettings {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1, was " + replicationFactor);
        }
        if (refreshMs < 0) {
            throw new IllegalArgumentException("refresh interval must be 0 (off) or more, was " + refreshMs);
        }
        if (rebuildFromLog && retentionMs != -1 && (refreshMs == 0 || retentionMs < 2 * refreshMs)) {
            throw new IllegalArgumentException("a log followers can be rebuilt from keeps its whole history, or with refresh "
                    + "copies at least two refresh intervals: retention " + retentionMs + " ms would delete it");
        }
    }

    public TopicSettings(int partitions, short replicationFactor, long retentionMs, boolean rebuildFromLog) {
        this(partitions, replicationFactor, retentionMs, rebuildFromLog, 0);
    }

    /** A log that keeps its whole history when {@code retentionMs} is -1. */
    public TopicSettings(int partitions, short replicationFactor, long retentionMs) {
        this(partitions, replicationFactor, retentionMs, retentionMs == -1);
    }

    /**
     * The shortest retention a log followers are rebuilt from may have: with refresh copies two refresh
     * intervals (docs/rebuild.md, "Retention", says why), else -1 (the whole history).
     */
    public long minimumWindowMs() {
        return refreshMs == 0 ? -1 : 2 * refreshMs;
    }
}
