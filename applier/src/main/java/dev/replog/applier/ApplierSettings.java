package dev.replog.applier;

import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;

import java.time.Duration;

/**
 * Everything the applier needs.
 *
 * @param groupId   Kafka consumer group; applier instances of one follower share it
 * @param batchSize most records applied in one follower transaction
 * @param onError   what a poison event does: stop its table, or skip it into the dead letters
 */
public record ApplierSettings(FollowerConnection follower,
                              String groupId,
                              int batchSize,
                              Duration pollTimeout,
                              TopicNames topics,
                              KafkaSettings kafka,
                              ErrorPolicy onError) {

    /** With the default policy, {@link ErrorPolicy#STOP}. */
    public ApplierSettings(FollowerConnection follower, String groupId, int batchSize, Duration pollTimeout,
                           TopicNames topics, KafkaSettings kafka) {
        this(follower, groupId, batchSize, pollTimeout, topics, kafka, ErrorPolicy.STOP);
    }

    public ApplierSettings withOnError(ErrorPolicy policy) {
        return new ApplierSettings(follower, groupId, batchSize, pollTimeout, topics, kafka, policy);
    }
}
