package dev.replog.serve.store;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.processor.StandbyUpdateListener;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.TaskId;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which store partitions this instance holds and whether each may answer reads. A store restored
 * from its compacted changelog is not a state the leader ever had until the restore has reached the
 * changelog's end (compaction removed the versions in between), so an active task answers once its
 * restore is done and a standby once it has caught up with the changelog since it (re)started; a
 * standby that has not (yet) loaded anything is not answerable either, and reads go to the active.
 */
public final class LocalReplicas implements StateRestoreListener, StandbyUpdateListener {

    public enum Role { ACTIVE, STANDBY }

    /** A store partition held here. */
    public record Held(String store, int partition, Role role, boolean answerable) {
    }

    /** Changelog records a standby may be behind its end and still count as caught up (transaction markers). */
    private static final long CAUGHT_UP_SLACK = 10;

    private final Set<String> restoring = ConcurrentHashMap.newKeySet();
    /** Standbys that have caught up with their changelog since they (re)started updating. */
    private final Set<String> standbyCaughtUp = ConcurrentHashMap.newKeySet();
    /** The store of each table topic: tasks name their topics, reads name stores. */
    private final Map<String, String> topicToStore = new ConcurrentHashMap<>();
    private volatile KafkaStreams streams;

    public void attach(KafkaStreams streams) {
        this.streams = streams;
    }

    /** The role this instance holds {@code partition} of {@code store} in, or null if it holds none. */
    public Held held(String store, int partition) {
        KafkaStreams s = streams;
        if (s == null || s.state() != KafkaStreams.State.RUNNING) {
            return null;
        }
        for (ThreadMetadata thread : s.metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                if (holds(task, store, partition)) {
                    return new Held(store, partition, Role.ACTIVE, !restoring.contains(id(store, partition)));
                }
            }
            for (TaskMetadata task : thread.standbyTasks()) {
                if (holds(task, store, partition)) {
                    return new Held(store, partition, Role.STANDBY, standbyCaughtUp.contains(id(store, partition)));
                }
            }
        }
        return null;
    }

    private boolean holds(TaskMetadata task, String store, int partition) {
        TaskId id = task.taskId();
        if (id.partition() != partition) {
            return false;
        }
        // A task's source partitions name the table topic; the store is named after it (ReplicaTopology).
        for (TopicPartition tp : task.topicPartitions()) {
            if (storeOfTopic(tp.topic()).equals(store)) {
                return true;
            }
        }
        return false;
    }

    /** Registers the store of each table topic, so tasks (which name their topics) can be matched to stores. */
    public void register(String topic, String store) {
        topicToStore.put(topic, store);
    }

    private String storeOfTopic(String topic) {
        return topicToStore.getOrDefault(topic, "");
    }

    private static String id(String store, int partition) {
        return store + "#" + partition;
    }

    @Override
    public void onRestoreStart(TopicPartition changelog, String storeName, long startingOffset, long endingOffset) {
        restoring.add(id(storeName, changelog.partition()));
    }

    @Override
    public void onBatchRestored(TopicPartition changelog, String storeName, long batchEndOffset, long numRestored) {
    }

    @Override
    public void onRestoreEnd(TopicPartition changelog, String storeName, long totalRestored) {
        restoring.remove(id(storeName, changelog.partition()));
    }

    @Override
    public void onRestoreSuspended(TopicPartition changelog, String storeName, long totalRestored) {
        restoring.remove(id(storeName, changelog.partition()));
    }

    @Override
    public void onUpdateStart(TopicPartition changelog, String storeName, long startingOffset) {
        standbyCaughtUp.remove(id(storeName, changelog.partition()));
    }

    @Override
    public void onBatchLoaded(TopicPartition changelog, String storeName, TaskId taskId, long batchEndOffset,
                              long batchSize, long currentEndOffset) {
        if (currentEndOffset - batchEndOffset <= CAUGHT_UP_SLACK) {
            standbyCaughtUp.add(id(storeName, changelog.partition()));
        }
    }

    @Override
    public void onUpdateSuspended(TopicPartition changelog, String storeName, long storeOffset, long currentEndOffset,
                                  SuspendReason reason) {
        standbyCaughtUp.remove(id(storeName, changelog.partition()));
    }
}
