package dev.replog.applier;

import dev.replog.schemas.Lsn;

/**
 * How far the follower has applied one topic-partition: the Kafka offset of the last applied record
 * and the leader LSN of its change.
 */
public record Position(long offset, Lsn lsn) {
}
