package dev.replog.serve;

import dev.replog.metrics.ServiceMetrics;
import dev.replog.schemas.TableId;
import dev.replog.schemas.compact.SchemaLookup;
import dev.replog.serve.http.HttpApi;
import dev.replog.serve.routing.KeyEncodings;
import dev.replog.serve.store.BoundedRocksDb;
import dev.replog.serve.store.LocalReplicas;
import dev.replog.serve.store.ReplicaTopology;
import dev.replog.topology.SchemaTopicLookup;
import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code replog serve} instance: the Kafka Streams application that keeps the replica stores of
 * its share of partitions (and standbys of others), and the HTTP API that answers any key, locally or
 * from the instance that owns it. Dies whole: a stream thread's uncaught error stops the instance
 * with one ERROR line and completes {@link #stopped()} exceptionally.
 */
public final class ServeService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServeService.class);

    private final ServeSettings settings;
    private final String self;
    private final KafkaStreams streams;
    private final HttpApi http;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final LocalReplicas replicas = new LocalReplicas();
    private volatile boolean closing;

    private ServeService(ServeSettings settings, ServiceMetrics metrics) {
        this.settings = settings;
        // Records of either format are read, by their first byte; compact ones name their schemas in this topic.
        SchemaLookup schemas = new SchemaTopicLookup(settings.kafka().clientConfig(), settings.topics().schemas());
        KeyEncodings keyEncodings = new KeyEncodings(settings.kafka(), settings.topics(), schemas);
        for (TableId t : settings.tables()) {
            replicas.register(settings.topics().forTable(t), ReplicaTopology.storeName(settings.topics(), t));
        }
        HttpServer server;
        try {
            server = HttpApi.bind(settings);
        } catch (IOException e) {
            throw new UncheckedIOException("serve cannot listen on " + settings.listenHost() + ":" + settings.listenPort(), e);
        }
        this.self = settings.advertised() == null || settings.advertised().isEmpty()
                ? settings.listenHost() + ":" + server.getAddress().getPort() : settings.advertised();
        this.streams = new KafkaStreams(ReplicaTopology.build(settings.topics(), settings.tables(), keyEncodings, schemas),
                streamsConfig(settings, self));
        streams.setGlobalStateRestoreListener(replicas);
        streams.setStandbyUpdateListener(replicas);
        replicas.attach(streams);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("serve {} stopped: {}", self, e.toString(), e);
            stopped.completeExceptionally(e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING || now == KafkaStreams.State.REBALANCING || now == KafkaStreams.State.ERROR) {
                log.info("serve {}: {} (was {})", self, now, before);
            }
            if (now == KafkaStreams.State.ERROR) {
                stopped.completeExceptionally(new IllegalStateException("Kafka Streams is in state ERROR"));
            }
        });
        this.http = new HttpApi(server, settings, self, streams, replicas, keyEncodings, metrics);
    }

    /**
     * Starts the HTTP API at once (live, not ready) and Kafka Streams once every served table's topic
     * exists.
     */
    public static ServeService start(ServeSettings settings) {
        return start(settings, ServiceMetrics.none());
    }

    /** {@link #start(ServeSettings)}, measured into these metrics (served at {@code GET /metrics} of the HTTP API). */
    public static ServeService start(ServeSettings settings, ServiceMetrics metrics) {
        ServeService s = new ServeService(settings, metrics);
        s.http.start();
        Thread starter = new Thread(s::startStreamsWhenTopicsExist, "replog-serve-start");
        starter.setDaemon(true);
        starter.start();
        log.info("serve started: {} tables, HTTP on {}:{} (advertised {}), group {}, state in {}",
                settings.tables().size(), settings.listenHost(), s.http.port(), s.self,
                settings.applicationId(), settings.stateDir());
        return s;
    }

    private void startStreamsWhenTopicsExist() {
        try {
            List<String> topics = settings.tables().stream().map(t -> settings.topics().forTable(t)).toList();
            if (SourceTopics.await(settings.kafka(), topics, () -> closing)) {
                synchronized (this) {
                    if (!closing) {
                        streams.start();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("serve {} stopped: cannot start: {}", self, e.toString());
            stopped.completeExceptionally(e);
        }
    }

    static Properties streamsConfig(ServeSettings s, String self) {
        Properties p = s.kafka().clientConfig();
        p.remove("default.api.timeout.ms"); // set per client below
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self);
        p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir().toString());
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, s.standbyReplicas());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.streamThreads());
        // Exactly once: the changelog (rows and progress) commits with the input offsets, so no record
        // is applied twice after a crash and a standby reads only committed store states.
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, s.commitInterval().toMillis());
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class);
        p.put(BoundedRocksDb.CACHE_BYTES, Long.toString(s.cacheBytes()));
        p.put(BoundedRocksDb.MEMTABLE_BYTES, Long.toString(s.memtableBytes()));
        // Classic protocol: the streams protocol (KIP-1071) ignores client-side standby settings in 4.3.
        p.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "classic");
        // How soon the group notices a dead instance and gives its partitions to the others.
        p.put(StreamsConfig.mainConsumerPrefix("session.timeout.ms"), (int) s.sessionTimeout().toMillis());
        p.put(StreamsConfig.mainConsumerPrefix("heartbeat.interval.ms"), (int) Math.max(100, s.sessionTimeout().toMillis() / 5));
        p.put(StreamsConfig.consumerPrefix("max.poll.records"), 2000);
        return p;
    }

    /** Completes when the instance stopped: normally after {@link #close()}, exceptionally on a fatal error. */
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    /** host:port this instance is reached at. */
    public String address() {
        return self;
    }

    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** Stops as a crash would for the group: no goodbye, so the group waits out the session timeout. */
    public void halt() {
        synchronized (this) {
            closing = true;
        }
        log.info("serve {} halting without leaving its group", self);
        http.stop();
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));
        stopped.complete(null);
    }

    @Override
    public void close() {
        synchronized (this) {
            closing = true;
        }
        http.stop();
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        stopped.complete(null);
        log.info("serve {} stopped", self);
    }
}
