package dev.replog.applier;

import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;

import java.time.Duration;

/**
 * Everything the applier needs.
 *
 * @param groupId   Kafka consumer group; applier instances of one follower share it (row mode; a
 *                  transactional follower has exactly one applier, which reads every partition)
 * @param batchSize most records applied in one follower transaction
 * @param onError   what a poison event does: stop its table, or skip it into the dead letters
 * @param mode      row-by-partition or whole leader transactions in commit order
 */
public record ApplierSettings(FollowerConnection follower,
                              String groupId,
                              int batchSize,
                              Duration pollTimeout,
                              TopicNames topics,
                              KafkaSettings kafka,
                              ErrorPolicy onError,
                              ApplyMode mode) {

    /** With the default policy, {@link ErrorPolicy#STOP}. */
    public ApplierSettings(FollowerConnection follower, String groupId, int batchSize, Duration pollTimeout,
                           TopicNames topics, KafkaSettings kafka) {
        this(follower, groupId, batchSize, pollTimeout, topics, kafka, ErrorPolicy.STOP, ApplyMode.ROW);
    }

    public ApplierSettings withOnError(ErrorPolicy policy) {
        return new ApplierSettings(follower, groupId, batchSize, pollTimeout, topics, kafka, policy, mode);
    }

    public ApplierSettings withMode(ApplyMode applyMode) {
        return new ApplierSettings(follower, groupId, batchSize, pollTimeout, topics, kafka, onError, applyMode);
    }
}
