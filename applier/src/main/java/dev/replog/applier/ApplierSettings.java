package dev.replog.applier;

import dev.replog.schemas.compact.SchemaLookup;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.SchemaTopicLookup;
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
 * @param fetchWait how long the broker may hold a fetch to gather {@link #FETCH_MIN_BYTES}; zero
 *                  answers every fetch at once
 * @param bufferBytes bytes of fetched events held in memory: the transactional mode's queues across
 *                  all partitions, and a quarter of it for Kafka's own fetch buffer in both modes
 * @param schemaExpressions which DEFAULT, CHECK and generated-column expressions of schema changes
 *                  the follower runs
 * @param createExtensions whether an extension a replicated type needs is created on the follower,
 *                  rather than its table stopped with the statement to run
 */
public record ApplierSettings(FollowerConnection follower,
                              String groupId,
                              int batchSize,
                              Duration pollTimeout,
                              TopicNames topics,
                              KafkaSettings kafka,
                              ErrorPolicy onError,
                              ApplyMode mode,
                              Duration fetchWait,
                              long bufferBytes,
                              SchemaExpressions schemaExpressions,
                              boolean createExtensions) {

    /**
     * What a fetch waits for (up to {@link #fetchWait}): a batch of a few hundred events instead of
     * the handful that arrived since the last poll. Per poll the applier, the follower and the broker
     * pay a fixed cost (a follower commit, a position write, a fetch request); measured on a 300,000-row
     * insert, waiting cut the applier's CPU by 16-25% and the broker's by 11-23%.
     */
    public static final int FETCH_MIN_BYTES = 256 * 1024;
    public static final Duration DEFAULT_FETCH_WAIT = Duration.ofMillis(25);
    public static final long DEFAULT_BUFFER_BYTES = 64L * 1024 * 1024;
    public static final long MIN_BUFFER_BYTES = 1024L * 1024;

    public ApplierSettings {
        if (bufferBytes < MIN_BUFFER_BYTES) {
            throw new IllegalArgumentException("apply buffer must be at least " + MIN_BUFFER_BYTES + " bytes, not " + bufferBytes);
        }
    }

    /** Extensions are not created. */
    public ApplierSettings(FollowerConnection follower, String groupId, int batchSize, Duration pollTimeout, TopicNames topics,
                           KafkaSettings kafka, ErrorPolicy onError, ApplyMode mode, Duration fetchWait, long bufferBytes,
                           SchemaExpressions schemaExpressions) {
        this(follower, groupId, batchSize, pollTimeout, topics, kafka, onError, mode, fetchWait, bufferBytes, schemaExpressions, false);
    }

    /** With the default policies: {@link ErrorPolicy#STOP}, {@link ApplyMode#ROW}, {@link SchemaExpressions#SAFE}. */
    public ApplierSettings(FollowerConnection follower, String groupId, int batchSize, Duration pollTimeout,
                           TopicNames topics, KafkaSettings kafka) {
        this(follower, groupId, batchSize, pollTimeout, topics, kafka, ErrorPolicy.STOP, ApplyMode.ROW, DEFAULT_FETCH_WAIT,
                DEFAULT_BUFFER_BYTES, SchemaExpressions.SAFE);
    }

    public ApplierSettings withOnError(ErrorPolicy policy) {
        return new ApplierSettings(follower, groupId, batchSize, pollTimeout, topics, kafka, policy, mode, fetchWait, bufferBytes, schemaExpressions, createExtensions);
    }

    public ApplierSettings withMode(ApplyMode applyMode) {
        return new ApplierSettings(follower, groupId, batchSize, pollTimeout, topics, kafka, onError, applyMode, fetchWait, bufferBytes, schemaExpressions, createExtensions);
    }

    public ApplierSettings withFetchWait(Duration wait) {
        return new ApplierSettings(follower, groupId, batchSize, pollTimeout, topics, kafka, onError, mode, wait, bufferBytes, schemaExpressions, createExtensions);
    }

    public ApplierSettings withBufferBytes(long bytes) {
        return new ApplierSettings(follower, groupId, batchSize, pollTimeout, topics, kafka, onError, mode, fetchWait, bytes, schemaExpressions, createExtensions);
    }

    public ApplierSettings withSchemaExpressions(SchemaExpressions expressions) {
        return new ApplierSettings(follower, groupId, batchSize, pollTimeout, topics, kafka, onError, mode, fetchWait, bufferBytes,
                expressions, createExtensions);
    }

    public ApplierSettings withCreateExtensions(boolean create) {
        return new ApplierSettings(follower, groupId, batchSize, pollTimeout, topics, kafka, onError, mode, fetchWait, bufferBytes,
                schemaExpressions, create);
    }

    /** What the applier may do for user types beyond a schema change's transaction. */
    public dev.replog.applier.follower.UserTypePolicy userTypes() {
        return new dev.replog.applier.follower.UserTypePolicy(follower, createExtensions);
    }

    /**
     * Where this log's compact records find their schemas ({@code <prefix>.schemas}); read only when
     * a compact record is met, so a JSON log never reads it. A new lookup per call.
     */
    public SchemaLookup logSchemas() {
        return new SchemaTopicLookup(kafka.clientConfig(), topics.schemas());
    }

    /** Kafka's fetch buffer: one fetch per broker of at most this many (compressed) bytes. */
    public int fetchMaxBytes() {
        return (int) Math.min(Integer.MAX_VALUE, bufferBytes / 4);
    }
}
