package dev.replog.cli.config;

import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyMode;
import dev.replog.applier.ErrorPolicy;
import dev.replog.applier.FollowerConnection;
import dev.replog.applier.SchemaExpressions;
import dev.replog.capture.CaptureSettings;
import dev.replog.capture.LeaderConnection;
import dev.replog.capture.TimetzOffsets;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;
import dev.replog.topology.TopicSettings;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.replog.cli.config.ConfigKeys.*;

/** Turns a validated configuration into the settings each service takes. */
public final class Settings {

    private Settings() {
    }

    public static KafkaSettings kafka(ReplogConfig c) {
        Map<String, String> client = new LinkedHashMap<>();
        long timeout = c.longValue(KAFKA_CLIENT_TIMEOUT_MS);
        if (timeout < 1000) {
            throw new ConfigException("config key 'kafka.client.timeout.ms' must be at least 1000, not " + timeout);
        }
        client.put("default.api.timeout.ms", Long.toString(timeout));
        client.put("request.timeout.ms", Long.toString(Math.min(timeout, 30_000)));
        client.put("security.protocol", c.string(KAFKA_SECURITY_PROTOCOL));
        putIfSet(client, "sasl.mechanism", c.string(KAFKA_SASL_MECHANISM));
        putIfSet(client, "sasl.jaas.config", c.string(KAFKA_SASL_JAAS));
        putIfSet(client, "ssl.truststore.location", c.string(KAFKA_TRUSTSTORE));
        putIfSet(client, "ssl.truststore.password", c.string(KAFKA_TRUSTSTORE_PASSWORD));
        putIfSet(client, "ssl.keystore.location", c.string(KAFKA_KEYSTORE));
        putIfSet(client, "ssl.keystore.password", c.string(KAFKA_KEYSTORE_PASSWORD));
        return new KafkaSettings(c.string(KAFKA_BOOTSTRAP), client);
    }

    private static void putIfSet(Map<String, String> m, String k, String v) {
        if (v != null && !v.isEmpty()) {
            m.put(k, v);
        }
    }

    public static TopicNames topics(ReplogConfig c) {
        try {
            return new TopicNames(c.string(TOPICS_PREFIX));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config key 'topics.prefix': " + e.getMessage());
        }
    }

    public static LeaderConnection leader(ReplogConfig c) {
        return new LeaderConnection(c.string(LEADER_HOST), c.integer(LEADER_PORT), c.string(LEADER_DATABASE),
                c.string(LEADER_USER), c.string(LEADER_PASSWORD), c.string(LEADER_SSLMODE));
    }

    public static CaptureSettings capture(ReplogConfig c) {
        String slot = c.string(CAPTURE_SLOT);
        if (!slot.matches("[a-z0-9_]+")) {
            throw new ConfigException("config key 'capture.slot.name' is '" + slot
                    + "' but PostgreSQL slot names may contain only lower-case letters, digits and '_'");
        }
        if (c.integer(TOPICS_PARTITIONS) < 1 || c.integer(TOPICS_REPLICATION_FACTOR) < 1) {
            throw new ConfigException("config keys 'topics.partitions' and 'topics.replication.factor' must be at least 1");
        }
        long refresh = c.longValue(CAPTURE_PUBLICATION_REFRESH_MS);
        if (refresh < 100) {
            throw new ConfigException("config key 'capture.publication.refresh.ms' must be at least 100, not " + refresh);
        }
        long watermarks = c.longValue(CAPTURE_WATERMARK_INTERVAL_MS);
        if (watermarks < 0) {
            throw new ConfigException("config key 'capture.watermark.interval.ms' must be 0 (no watermarks) or more, not " + watermarks);
        }
        return new CaptureSettings(leader(c), slot, c.string(CAPTURE_PUBLICATION),
                c.tables(CAPTURE_TABLES),
                c.string(CAPTURE_SNAPSHOT_MODE), Duration.ofMillis(c.longValue(CAPTURE_HEARTBEAT_MS)),
                topics(c),
                new TopicSettings(c.integer(TOPICS_PARTITIONS), (short) c.integer(TOPICS_REPLICATION_FACTOR),
                        c.longValue(TOPICS_RETENTION_MS)),
                kafka(c), TimetzOffsets.parse(c.string(CAPTURE_TIMETZ_OFFSETS)), Duration.ofMillis(refresh),
                Duration.ofMillis(watermarks));
    }

    /** {@code verify.chunk.rows}, at least 1. */
    public static int verifyChunkRows(ReplogConfig c) {
        int rows = c.integer(VERIFY_CHUNK_ROWS);
        if (rows < 1) {
            throw new ConfigException("config key 'verify.chunk.rows' must be at least 1, not " + rows);
        }
        return rows;
    }

    public static FollowerConnection follower(ReplogConfig c) {
        String url = c.string(FOLLOWER_URL);
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new ConfigException("config key 'follower.jdbc.url' is '" + url + "' but must start with jdbc:postgresql://");
        }
        return new FollowerConnection(url, c.string(FOLLOWER_USER), c.string(FOLLOWER_PASSWORD),
                c.string(FOLLOWER_SSLMODE), c.integer(FOLLOWER_POOL_SIZE));
    }

    public static ApplierSettings applier(ReplogConfig c) {
        if (c.integer(APPLY_BATCH_SIZE) < 1) {
            throw new ConfigException("config key 'apply.batch.size' must be at least 1");
        }
        long fetchWait = c.longValue(APPLY_FETCH_WAIT_MS);
        if (fetchWait < 0 || fetchWait > 5_000) {
            throw new ConfigException("config key 'apply.fetch.wait.ms' must be between 0 and 5000, not " + fetchWait);
        }
        long buffer = c.longValue(APPLY_BUFFER_MAX_BYTES);
        if (buffer < ApplierSettings.MIN_BUFFER_BYTES) {
            throw new ConfigException("config key 'apply.buffer.max.bytes' must be at least "
                    + ApplierSettings.MIN_BUFFER_BYTES + ", not " + buffer);
        }
        return new ApplierSettings(follower(c), c.string(APPLY_GROUP), c.integer(APPLY_BATCH_SIZE),
                Duration.ofMillis(c.longValue(APPLY_POLL_TIMEOUT_MS)), topics(c), kafka(c),
                ErrorPolicy.parse(c.string(APPLY_ON_ERROR)),
                ApplyMode.valueOf(c.string(APPLY_MODE).toUpperCase(java.util.Locale.ROOT)),
                Duration.ofMillis(fetchWait), buffer, SchemaExpressions.parse(c.string(APPLY_SCHEMA_EXPRESSIONS)));
    }

    public static Duration startupTimeout(ReplogConfig c) {
        return Duration.ofSeconds(c.integer(STARTUP_TIMEOUT_S));
    }
}
