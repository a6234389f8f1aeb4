package dev.replog.applier.state;

import dev.replog.schemas.Lsn;
import dev.replog.schemas.SourceOrder;

/**
 * How far the follower has applied one topic-partition: the Kafka offset of the last record read,
 * the leader LSN of its change, and the source order of the last change actually applied (null
 * until one is), which tells a later replay of that change apart from a new one.
 */
public record Position(long offset, Lsn lsn, SourceOrder applied) {
}
