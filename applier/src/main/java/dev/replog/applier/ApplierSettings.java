package dev.replog.applier;

import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;

import java.time.Duration;

/**
 * Everything the applier needs.
 *
 * @param groupId   Kafka consumer group; applier instances of one follower share it
 * @param batchSize most records applied in one follower transaction
 */
public record ApplierSettings(FollowerConnection follower,
                              String groupId,
                              int batchSize,
                              Duration pollTimeout,
                              TopicNames topics,
                              KafkaSettings kafka) {
}
