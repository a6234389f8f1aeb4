package dev.replog.topology;

/**
 * Layout of table topics.
 *
 * @param partitions        partitions per table topic; a key always maps to the same partition
 * @param replicationFactor replicas of each partition
 * @param retentionMs       how long table topics keep events; -1 keeps the whole history so a
 *                          new follower can be built by replaying from the beginning
 * @param rebuildFromLog    the log must keep its whole history, so that a follower can be rebuilt
 *                          from it: topics that lose history (finite retention, compaction) are
 *                          refused, naming topic and setting (see {@link LogRetention})
 */
public record TopicSettings(int partitions, short replicationFactor, long retentionMs, boolean rebuildFromLog) {

    public TopicSettings {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1, was " + replicationFactor);
        }
        if (rebuildFromLog && retentionMs != -1) {
            throw new IllegalArgumentException("a log followers can be rebuilt from keeps its whole history: retention "
                    + retentionMs + " ms would delete it");
        }
    }

    /** A log that keeps its whole history when {@code retentionMs} is -1. */
    public TopicSettings(int partitions, short replicationFactor, long retentionMs) {
        this(partitions, replicationFactor, retentionMs, retentionMs == -1);
    }
}
