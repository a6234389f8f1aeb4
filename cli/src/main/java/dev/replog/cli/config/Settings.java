package dev.replog.cli.config;

import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyMode;
import dev.replog.applier.ErrorPolicy;
import dev.replog.applier.FollowerConnection;
import dev.replog.applier.SchemaExpressions;
import dev.replog.applier.verify.VerifyOptions;
import dev.replog.capture.CaptureSettings;
import dev.replog.capture.LeaderConnection;
import dev.replog.capture.TimetzOffsets;
import dev.replog.capture.SnapshotMethod;
import dev.replog.capture.ValueEncoding;
import dev.replog.schemas.JdbcUrls;
import dev.replog.schemas.LogFormat;
import dev.replog.schemas.PostgresTls;
import dev.replog.schemas.TableId;
import dev.replog.serve.ServeSettings;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;
import dev.replog.topology.TopicSettings;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        putIfSet(client, "ssl.key.password", c.string(KAFKA_KEY_PASSWORD));
        if (!c.string(KAFKA_TRUSTSTORE).isEmpty()) {
            client.put("ssl.truststore.type", c.string(KAFKA_TRUSTSTORE_TYPE));
        }
        if (!c.string(KAFKA_KEYSTORE).isEmpty()) {
            client.put("ssl.keystore.type", c.string(KAFKA_KEYSTORE_TYPE));
        }
        String identification = c.string(KAFKA_ENDPOINT_IDENTIFICATION);
        if (!identification.isEmpty() && !identification.equals("https")) {
            throw new ConfigException("config key 'kafka.ssl.endpoint.identification.algorithm' is '" + identification
                    + "' but must be https or empty");
        }
        client.put("ssl.endpoint.identification.algorithm", identification);
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
                c.string(LEADER_USER), c.string(LEADER_PASSWORD), new PostgresTls(c.string(LEADER_SSLMODE),
                c.string(LEADER_SSLROOTCERT), c.string(LEADER_SSLCERT), c.string(LEADER_SSLKEY), c.string(LEADER_SSLPASSWORD)));
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
        boolean rebuildFromLog = Boolean.parseBoolean(c.string(TOPICS_REBUILD_FROM_LOG));
        long retention = c.longValue(TOPICS_RETENTION_MS);
        long copies = c.longValue(CAPTURE_REFRESH_INTERVAL_MS);
        if (copies < 0) {
            throw new ConfigException("config key 'capture.refresh.interval.ms' must be 0 (no refresh copies) or more, not " + copies);
        }
        if (rebuildFromLog && retention != -1 && copies == 0) {
            throw new ConfigException("config key 'topics.retention.ms' is " + retention + " but followers are rebuilt by "
                    + "replaying the whole log (topics.rebuild.from.log=true): set it to -1, or set capture.refresh.interval.ms "
                    + "to copy every table again periodically (then topics.retention.ms may be at least twice that), or set "
                    + "topics.rebuild.from.log=false to let the log lose history (`replog follower rebuild` is then refused; "
                    + "see docs/rebuild.md)");
        }
        if (rebuildFromLog && retention != -1 && retention < 2 * copies) {
            throw new ConfigException("config key 'topics.retention.ms' is " + retention + " but must be -1 or at least "
                    + 2 * copies + ", twice capture.refresh.interval.ms (" + copies + "), so that the log always holds a "
                    + "complete copy of every table to rebuild a follower from (see docs/rebuild.md, \"Retention\")");
        }
        return new CaptureSettings(leader(c), slot, c.string(CAPTURE_PUBLICATION),
                c.tables(CAPTURE_TABLES),
                c.string(CAPTURE_SNAPSHOT_MODE), Duration.ofMillis(c.longValue(CAPTURE_HEARTBEAT_MS)),
                topics(c),
                new TopicSettings(c.integer(TOPICS_PARTITIONS), (short) c.integer(TOPICS_REPLICATION_FACTOR),
                        retention, rebuildFromLog, copies),
                kafka(c), TimetzOffsets.parse(c.string(CAPTURE_TIMETZ_OFFSETS)), Duration.ofMillis(refresh),
                Duration.ofMillis(watermarks), ValueEncoding.parse(c.string(CAPTURE_VALUE_ENCODING)), logFormat(c), snapshotMethod(c));
    }

    /** {@code log.format}: how capture writes the log (its readers read both). */
    public static LogFormat logFormat(ReplogConfig c) {
        return LogFormat.parse(c.string(LOG_FORMAT));
    }

    /** {@code capture.snapshot.method}; {@code copy} reads values only for {@code capture.value.encoding=exact}. */
    private static SnapshotMethod snapshotMethod(ReplogConfig c) {
        SnapshotMethod method = SnapshotMethod.parse(c.string(CAPTURE_SNAPSHOT_METHOD));
        if (method == SnapshotMethod.COPY && ValueEncoding.parse(c.string(CAPTURE_VALUE_ENCODING)) != ValueEncoding.EXACT) {
            throw new ConfigException("config key 'capture.snapshot.method' is copy, which needs capture.value.encoding=exact "
                    + "(not " + c.string(CAPTURE_VALUE_ENCODING) + "): set capture.snapshot.method=debezium");
        }
        return method;
    }

    /** {@code verify.chunk.rows}, at least 1. */
    public static int verifyChunkRows(ReplogConfig c) {
        int rows = c.integer(VERIFY_CHUNK_ROWS);
        if (rows < 1) {
            throw new ConfigException("config key 'verify.chunk.rows' must be at least 1, not " + rows);
        }
        return rows;
    }

    /** The {@code verify.*} keys, each checked. */
    public static VerifyOptions verify(ReplogConfig c, boolean repair) {
        int parallelism = c.integer(VERIFY_PARALLELISM);
        if (parallelism < 1 || parallelism > 64) {
            throw new ConfigException("config key 'verify.parallelism' must be between 1 and 64, not " + parallelism);
        }
        long recheck = c.longValue(VERIFY_RECHECK_TIMEOUT_MS);
        if (recheck < 0) {
            throw new ConfigException("config key 'verify.recheck.timeout.ms' must be 0 or more, not " + recheck);
        }
        return new VerifyOptions(verifyChunkRows(c), parallelism, Duration.ofMillis(recheck), repair);
    }

    public static FollowerConnection follower(ReplogConfig c) {
        String url = c.string(FOLLOWER_URL);
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new ConfigException("config key 'follower.jdbc.url' is '" + JdbcUrls.redact(url)
                    + "' but must start with jdbc:postgresql://");
        }
        return new FollowerConnection(url, c.string(FOLLOWER_USER), c.string(FOLLOWER_PASSWORD),
                new PostgresTls(c.string(FOLLOWER_SSLMODE), c.string(FOLLOWER_SSLROOTCERT), c.string(FOLLOWER_SSLCERT),
                        c.string(FOLLOWER_SSLKEY), c.string(FOLLOWER_SSLPASSWORD)),
                c.integer(FOLLOWER_POOL_SIZE));
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
                Duration.ofMillis(fetchWait), buffer, SchemaExpressions.parse(c.string(APPLY_SCHEMA_EXPRESSIONS)),
                Boolean.parseBoolean(c.string(APPLY_CREATE_EXTENSIONS)));
    }

    public static ServeSettings serve(ReplogConfig c) {
        List<TableId> tables = c.tables(SERVE_TABLES);
        for (TableId t : tables) {
            if (t.schema().contains("*") || t.table().contains("*")) {
                throw new ConfigException("config key 'serve.tables' names " + t + ": serve takes table names, not patterns");
            }
        }
        HostPort listen = hostPort(SERVE_HTTP_LISTEN, c.string(SERVE_HTTP_LISTEN));
        String advertised = c.string(SERVE_HTTP_ADVERTISED);
        if (!advertised.isEmpty()) {
            hostPort(SERVE_HTTP_ADVERTISED, advertised);
        }
        long cache = c.longValue(SERVE_CACHE_BYTES);
        long memtables = c.longValue(SERVE_MEMTABLE_BYTES);
        if (cache < 8L << 20) {
            throw new ConfigException("config key 'serve.rocksdb.cache.bytes' must be at least 8388608, not " + cache);
        }
        if (memtables < 1L << 20 || memtables > cache / 2) {
            throw new ConfigException("config key 'serve.rocksdb.memtable.bytes' must be between 1048576 and half of "
                    + "'serve.rocksdb.cache.bytes' (" + cache / 2 + "), not " + memtables);
        }
        long session = c.longValue(SERVE_SESSION_TIMEOUT_MS);
        if (session < 6_000 || session > 300_000) {
            throw new ConfigException("config key 'serve.session.timeout.ms' must be between 6000 and 300000, not " + session);
        }
        atLeast(c, SERVE_HTTP_THREADS, 1);
        atLeast(c, SERVE_STREAM_THREADS, 1);
        if (c.integer(SERVE_STANDBYS) < 0) {
            throw new ConfigException("config key 'serve.standby.replicas' must not be negative");
        }
        if (c.longValue(SERVE_MAX_WAIT_MS) < 0 || c.longValue(SERVE_COMMIT_INTERVAL_MS) < 10) {
            throw new ConfigException("config keys 'serve.max.wait.ms' (at least 0) and 'serve.commit.interval.ms' (at least 10) are out of range");
        }
        return new ServeSettings(kafka(c), topics(c), tables, c.string(SERVE_GROUP), Path.of(c.string(SERVE_STATE_DIR)),
                listen.host(), listen.port(), advertised, c.integer(SERVE_STANDBYS), c.integer(SERVE_STREAM_THREADS),
                cache, memtables, c.integer(SERVE_HTTP_THREADS), Duration.ofMillis(c.longValue(SERVE_MAX_WAIT_MS)),
                Duration.ofMillis(c.longValue(SERVE_COMMIT_INTERVAL_MS)), Duration.ofMillis(session));
    }

    private record HostPort(String host, int port) {
    }

    /**
     * The address of a metrics and health endpoint ({@code capture.http.listen}, {@code apply.http.listen}):
     * a loopback address or one of this machine's, never a wildcard that would listen on every network.
     */
    public static InetSocketAddress httpListen(ReplogConfig c, ConfigKey key) {
        String value = c.string(key);
        HostPort hp = hostPort(key, value);
        String problem = "config key '" + key.name() + "' is '" + value + "' but ";
        if (hp.host().isEmpty() || hp.host().equals("*")) {
            throw new ConfigException(problem + "must name the address to listen on (e.g. 127.0.0.1:" + hp.port() + ")");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(hp.host());
        } catch (UnknownHostException e) {
            throw new ConfigException(problem + "host '" + hp.host() + "' is unknown");
        }
        if (address.isAnyLocalAddress()) {
            throw new ConfigException(problem + "a wildcard address listens on every network: name a loopback address "
                    + "(127.0.0.1) or an address of this machine");
        }
        try {
            if (!address.isLoopbackAddress() && NetworkInterface.getByInetAddress(address) == null) {
                throw new ConfigException(problem + address.getHostAddress() + " is not an address of this machine");
            }
        } catch (SocketException e) {
            throw new ConfigException(problem + "cannot list this machine's addresses: " + e.getMessage());
        }
        return new InetSocketAddress(address, hp.port());
    }

    private static HostPort hostPort(ConfigKey key, String value) {
        int colon = value.lastIndexOf(':');
        try {
            if (colon > 0) {
                String host = value.substring(0, colon);
                int port = Integer.parseInt(value.substring(colon + 1));
                if (port >= 0 && port <= 65535) {
                    return new HostPort(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host, port);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("config key '" + key.name() + "' is '" + value + "' but must be host:port");
    }

    private static void atLeast(ReplogConfig c, ConfigKey key, int min) {
        if (c.integer(key) < min) {
            throw new ConfigException("config key '" + key.name() + "' must be at least " + min + ", not " + c.integer(key));
        }
    }

    public static Duration startupTimeout(ReplogConfig c) {
        return Duration.ofSeconds(c.integer(STARTUP_TIMEOUT_S));
    }
}
