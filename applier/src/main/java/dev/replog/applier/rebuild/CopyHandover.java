package dev.replog.applier.rebuild;

import dev.replog.applier.LogRecords;
import dev.replog.applier.state.Position;
import dev.replog.applier.state.PositionStore;
import dev.replog.applier.state.WatermarkStore;
import dev.replog.schemas.Lsn;
import dev.replog.topology.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands a follower replayed in row mode up to a {@link CopyCut} over to {@code TransactionalApply}:
 * stores what that applier would have stored after applying every transaction committed at or
 * before L. The table partitions' positions are at their watermark L already (the row-mode replay
 * applied it); this adds the watermark L, the transactions topic's position at the END of L and
 * each heartbeat partition's after the last heartbeat transaction committed at or before L. The
 * applier then starts with the first transaction after L.
 */
final class CopyHandover {

    private CopyHandover() {
    }

    /** Writes the state, in the caller's transaction. */
    static void save(Connection c, LogReader log, TopicNames topics, CopyCut cut) throws SQLException {
        Map<TopicPartition, Position> positions = new HashMap<>();
        TopicPartition transactions = new TopicPartition(topics.transactions(), 0);
        if (log.topics().contains(transactions.topic())) {
            ConsumerRecord<byte[], byte[]> end = lastAtOrBefore(log, transactions, cut.lsn(), true);
            if (end != null) {
                positions.put(transactions, new Position(end.offset(), LogRecords.lsn(end), null));
            }
        }
        if (log.topics().contains(topics.heartbeat())) {
            for (int p = 0; p < log.partitionCount(topics.heartbeat()); p++) {
                TopicPartition tp = new TopicPartition(topics.heartbeat(), p);
                ConsumerRecord<byte[], byte[]> last = lastAtOrBefore(log, tp, cut.lsn(), false);
                if (last != null) {
                    positions.put(tp, new Position(last.offset(), LogRecords.lsn(last), LogRecords.order(last)));
                }
            }
        }
        PositionStore.save(c, positions);
        WatermarkStore.save(c, cut.lsn(), cut.commitTime());
    }

    /**
     * The last record of a partition in commit order that belongs to a transaction committed at or
     * before L: in the transactions topic, the END of L (its {@code replog.lsn} is the commit LSN); in
     * the heartbeat topic, the record before the first one whose transaction follows a commit at or
     * after L (its previous commit, else its own LSN, is at or after L).
     */
    private static ConsumerRecord<byte[], byte[]> lastAtOrBefore(LogReader log, TopicPartition tp, Lsn cut, boolean ends) {
        long begin = log.beginnings(List.of(tp)).get(tp);
        long end = log.ends(List.of(tp)).get(tp);
        if (begin >= end) {
            return null;
        }
        @SuppressWarnings("unchecked")
        ConsumerRecord<byte[], byte[]>[] last = new ConsumerRecord[1];
        log.read(tp, begin, r -> {
            Lsn lsn = LogRecords.lsn(r);
            Lsn previous = LogRecords.previousCommit(r);
            boolean after = ends ? lsn != null && lsn.isAfter(cut)
                    : (previous != null ? previous.compareTo(cut) >= 0 : lsn != null && lsn.compareTo(cut) >= 0);
            if (after) {
                return false;
            }
            last[0] = r;
            return r.offset() < end - 1;
        });
        return last[0];
    }
}
