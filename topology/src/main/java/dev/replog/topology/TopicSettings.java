package dev.replog.topology;

/**
 * Layout of table topics.
 *
 * @param partitions        partitions per table topic; a key always maps to the same partition
 * @param replicationFactor replicas of each partition
 * @param retentionMs       how long table topics keep events; -1 keeps the whole history so a
 *                          new follower can be built by replaying from the beginning
 */
public record TopicSettings(int partitions, short replicationFactor, long retentionMs) {

    public TopicSettings {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1, was " + replicationFactor);
        }
    }
}
