package dev.replog.applier.transactional;

import dev.replog.applier.LogRecords;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.Map;

/**
 * Holds the first transaction on a follower without a watermark until every snapshot row is
 * applied: until each partition has passed the end it had when that transaction's END was read.
 * Capture has every snapshot row acknowledged before it sends any transaction, so those ends cover
 * the whole snapshot. Until the gate opens nothing is committed: the snapshot becomes visible whole,
 * together with the first transaction after it.
 */
public final class SnapshotGate {

    private boolean open = true;
    private Map<TopicPartition, Long> ends;

    /** Closed for a follower that has no watermark yet (it has not received the snapshot). */
    void reset(boolean hasWatermark) {
        open = hasWatermark;
        ends = null;
    }

    boolean isOpen() {
        return open;
    }

    /** Opens the gate if every partition is past the snapshot; call once untransactional heads are applied. */
    boolean tryOpen(Consumer<byte[], byte[]> consumer, FetchedLog fetched) {
        if (open) {
            return true;
        }
        if (ends == null) {
            ends = consumer.endOffsets(fetched.partitions());
        }
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            ConsumerRecord<byte[], byte[]> head = fetched.head(e.getKey());
            boolean passed = head != null ? LogRecords.txId(head) != null : consumer.position(e.getKey()) >= e.getValue();
            if (!passed) {
                return false;
            }
        }
        open = true;
        return true;
    }
}
