package dev.replog.applier.deadletter;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The poison events found in one poll and already sent to the dead-letter topic: events to skip
 * (recorded in {@code replog.dead_letters} instead of applied) and tables to stop. The poll is
 * applied again with them set aside, so the good records around them still get applied.
 */
public final class SetAside {

    private final Map<TopicPartition, Map<Long, PoisonEvent>> skipped = new HashMap<>();
    private final List<PoisonEvent> stops = new ArrayList<>();

    public void skip(PoisonEvent e) {
        skipped.computeIfAbsent(new TopicPartition(e.topic(), e.partition()), tp -> new HashMap<>()).put(e.offset(), e);
    }

    public void stop(PoisonEvent e) {
        stops.add(e);
    }

    /** The skipped event at this record's place, or null. */
    public PoisonEvent skipped(ConsumerRecord<byte[], byte[]> r) {
        Map<Long, PoisonEvent> p = skipped.get(new TopicPartition(r.topic(), r.partition()));
        return p == null ? null : p.get(r.offset());
    }

    /** Offset of the poison event found in this poll that stops this partition's table, if any. */
    public java.util.OptionalLong stoppedAt(TopicPartition tp) {
        return stops.stream().filter(e -> e.topic().equals(tp.topic()) && e.partition() == tp.partition())
                .mapToLong(PoisonEvent::offset).findFirst();
    }

    /**
     * Forgets the skipped events of a partition up to and including an offset its position has
     * passed: they can only come back after a reposition, which loads them again from the follower.
     * Keeps a long-running applier's memory from growing with the history of skipped events.
     */
    public void forgetThrough(TopicPartition tp, long offset) {
        Map<Long, PoisonEvent> p = skipped.get(tp);
        if (p != null) {
            p.keySet().removeIf(o -> o <= offset);
            if (p.isEmpty()) {
                skipped.remove(tp);
            }
        }
    }

    /** Skipped events remembered, for tests of what is kept. */
    public int skippedCount() {
        return skipped.values().stream().mapToInt(Map::size).sum();
    }

    public List<PoisonEvent> stops() {
        return stops;
    }
}
