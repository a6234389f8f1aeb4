package dev.replog.applier.rebuild;

import dev.replog.applier.ApplyException;
import dev.replog.applier.LogRecords;
import dev.replog.schemas.EventFormatException;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TransactionBoundary;
import dev.replog.schemas.compact.LogDecoder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

/**
 * The last leader transaction a point-in-time rebuild applies, found in {@code <prefix>.transactions}
 * (ENDs in commit order, each with its commit LSN and time): the last one committed at or before an
 * LSN or a time. It must be followed by one committed after it, or the log may not yet hold every
 * transaction committed up to the point (capture publishes a heartbeat transaction every few
 * seconds even on an idle leader): the read waits a bounded time for one.
 *
 * @param lsn  the requested LSN, or for a time the commit LSN of the last transaction at or before it
 * @param last the commit LSN of the last transaction applied
 * @param lastCommitted its commit time
 */
record PointInTime(Lsn lsn, Lsn last, Instant lastCommitted) {

    static final Duration WAIT_FOR_LATER = Duration.ofSeconds(30);

    static PointInTime atLsn(LogReader log, String transactionsTopic, Lsn lsn) {
        PointInTime p = find(log, transactionsTopic, end -> end.source().lsn().isAfter(lsn), "LSN " + lsn, lsn);
        if (p.last() == null) {
            throw new ApplyException("no leader transaction in topic " + transactionsTopic + " committed at or before LSN "
                    + lsn + ": the log starts later (with capture's initial snapshot, which is not a point of its own)");
        }
        return p;
    }

    static PointInTime atTime(LogReader log, String transactionsTopic, Instant time) {
        PointInTime p = find(log, transactionsTopic, end -> end.source().commitTime() != null
                && end.source().commitTime().isAfter(time), "time " + time, null);
        if (p.last() == null) {
            throw new ApplyException("no leader transaction in topic " + transactionsTopic + " committed at or before "
                    + time + ": the log starts later");
        }
        return new PointInTime(p.last(), p.last(), p.lastCommitted());
    }

    private static PointInTime find(LogReader log, String topic, Predicate<TransactionBoundary> after, String what, Lsn lsn) {
        TopicPartition tp = new TopicPartition(topic, 0);
        LogDecoder decoder = log.decoder();
        TransactionBoundary[] last = {null};
        boolean[] found = {false};
        long[] next = {log.beginnings(java.util.List.of(tp)).get(tp)};
        long deadline = System.nanoTime() + WAIT_FOR_LATER.toNanos();
        while (true) {
            boolean stopped = log.read(tp, next[0], r -> {
                next[0] = r.offset() + 1;
                TransactionBoundary b = end(decoder, r);
                if (b == null) {
                    return true;
                }
                if (after.test(b)) {
                    found[0] = true;
                    return false;
                }
                last[0] = b;
                return true;
            });
            if (stopped && found[0]) {
                TransactionBoundary b = last[0];
                return new PointInTime(lsn, b == null ? null : b.source().lsn(), b == null ? null : b.source().commitTime());
            }
            if (System.nanoTime() > deadline) {
                TransactionBoundary b = last[0];
                throw new ApplyException(what + " is beyond what the log holds: topic " + topic + " partition 0 has no "
                        + "transaction committed after it (waited " + WAIT_FOR_LATER.toSeconds() + " s; the newest "
                        + (b == null ? "is none" : "commits at LSN " + b.source().lsn() + ", " + b.source().commitTime())
                        + "). Is capture running?");
            }
            dev.replog.topology.Backoff.sleep(Duration.ofMillis(500));
        }
    }

    /** The END a record of the transactions topic is, or null for a BEGIN. */
    private static TransactionBoundary end(LogDecoder decoder, ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return null;
        }
        try {
            TransactionBoundary b = decoder.decodeTransaction(r.value(), LogRecords.lsn(r));
            return b.kind() == TransactionBoundary.Kind.END ? b : null;
        } catch (EventFormatException e) {
            throw new ApplyException("cannot read transaction record " + LogRecords.where(r) + ": " + e.getMessage(), e);
        }
    }

    /** What the follower says it is, in {@code replog.follower.point_in_time}. */
    String describe() {
        return "rebuilt to LSN " + lsn + " (its last transaction committed at LSN " + last + ", " + lastCommitted + ")";
    }
}
