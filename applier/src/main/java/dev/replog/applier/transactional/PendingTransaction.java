package dev.replog.applier.transactional;

import dev.replog.schemas.Lsn;
import dev.replog.schemas.TransactionBoundary;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A leader transaction whose END has been read from the transactions topic and whose events are
 * being gathered from the table partitions: how many events each topic owes it, and how many
 * have been applied.
 *
 * @param offset offset of its END in the transactions topic
 */
public record PendingTransaction(long xid, Lsn commitLsn, Instant commitTime, long offset, Map<String, Long> expected,
                          Map<String, Long> seen) {

    /** @param topicOf the topic of a table as the END names it (see {@link DataCollections}) */
    static PendingTransaction of(TransactionBoundary end, long offset, Function<String, String> topicOf) {
        Map<String, Long> expected = new HashMap<>();
        end.eventsPerCollection().forEach((table, n) -> expected.merge(topicOf.apply(table), n, Long::sum));
        return new PendingTransaction(end.source().txId(), end.source().lsn(), end.source().commitTime(), offset,
                expected, new HashMap<>());
    }

    void counted(String topic) {
        seen.merge(topic, 1L, Long::sum);
    }

    /** True once this topic has delivered every event the END announced for it. */
    boolean hasAll(String topic) {
        return seen.getOrDefault(topic, 0L) >= expected.getOrDefault(topic, 0L);
    }

    long missing(String topic) {
        return expected.getOrDefault(topic, 0L) - seen.getOrDefault(topic, 0L);
    }
}
