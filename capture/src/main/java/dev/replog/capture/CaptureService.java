package dev.replog.capture;

import dev.replog.metrics.Health;
import dev.replog.metrics.ReplogMetric;
import dev.replog.metrics.ServiceMetrics;
import dev.replog.schemas.LogFormat;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.compact.InMemorySchemas;
import dev.replog.schemas.TableId;
import dev.replog.topology.Backoff;
import dev.replog.topology.SchemaTopic;
import dev.replog.topology.TopicProvisioner;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs capture: Debezium's embedded engine tailing the leader's WAL through a pgoutput slot, its
 * batches published to the replication log by {@link LogPublisher}. If the engine stops on an error
 * (leader or Kafka gone), it is restarted with backoff from the last acknowledged offset.
 */
public final class CaptureService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CaptureService.class);

    private final CaptureSettings settings;
    private final Admin admin;
    private final TransactionalLog kafka;
    private final LogPublisher publisher;
    private final WatermarkPublisher watermarks;
    private final SchemaTracker schemaTracker;
    private final Thread runner;
    private final LeaderPublication publication;
    private final ScheduledExecutorService publicationRefresh;
    private final CountDownLatch streaming = new CountDownLatch(1);
    private final AtomicReference<DebeziumEngine<RecordChangeEvent<SourceRecord>>> engine = new AtomicReference<>();
    private final SlotMonitor slot;
    private final Counter retries;
    /** Whether Debezium streams now: false while an engine starts, and after it stopped on an error. */
    private volatile boolean streamingNow;
    private volatile String lastFailure;
    /** The capture.tables entries wanted now (the config file's, for the command line). */
    private final Supplier<List<TableId>> wantedTables;
    /** The entries the next engine is built with. */
    private volatile List<TableId> engineTables;
    /** The entries of the engine that runs now; null while none runs. */
    private volatile List<TableId> streamingTables;
    /** Why the wanted entries failed their check, as last logged: checked again at each check, logged once. */
    private String refusal;
    /** The engine last stopped for a new list: stopped once, and restarted at once. */
    private volatile DebeziumEngine<RecordChangeEvent<SourceRecord>> stoppedForTables;
    private volatile boolean stopping;

    private CaptureService(CaptureSettings settings, LeaderPublication publication, Supplier<List<TableId>> wantedTables,
                           ServiceMetrics metrics) {
        this.settings = settings;
        this.publication = publication;
        this.wantedTables = wantedTables;
        this.engineTables = settings.tables();
        this.admin = Admin.create(settings.kafka().clientConfig());
        this.kafka = new TransactionalLog(producerConfig(settings),
                "replog-capture-" + settings.topics().prefix() + "-" + settings.slotName());
        TopicProvisioner provisioner = new TopicProvisioner(admin, settings.topicSettings());
        provisioner.ensureOrderedTopic(settings.topics().captureOffsets(), true);
        provisioner.ensureOrderedTopic(settings.topics().transactions(), false);
        provisioner.ensureOrderedTopic(settings.topics().heartbeat(), false);
        if (publication.copyLog() != null) {
            provisioner.ensureOrderedTopic(settings.topics().copies(), true);
        }
        // Tables idle since this start, or dropped, keep topics that followers read: they get watermarks too.
        provisioner.findTableTopics(settings.topics().tableTopicPattern());
        LogFormatCheck.check(admin, settings.topics(), settings.logFormat(), provisioner.tableTopics());
        LogEncoding encoding = encoding(settings, provisioner, kafka);
        this.watermarks = new WatermarkPublisher(kafka, provisioner, settings.watermarkInterval(), encoding);
        this.schemaTracker = new SchemaTracker(settings.leader());
        this.publisher = new LogPublisher(kafka, watermarks, provisioner, settings.topics(), schemaTracker,
                publication.signalTable(), publication.copies(), publication.copyLog(), encoding, metrics.registry());
        ReplogMetric.CAPTURE_STREAMING.gauge(metrics.registry(), this, c -> c.streamingNow ? 1 : 0);
        this.retries = ReplogMetric.CAPTURE_RETRIES.counter(metrics.registry());
        this.slot = new SlotMonitor(settings.leader(), settings.slotName(), metrics);
        this.runner = new Thread(this::runUntilStopped, "replog-capture");
        this.publicationRefresh = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "replog-publication");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Checks the leader, brings the publication up to date, creates Replog's topics, and starts
     * streaming in the background; the publication is checked again every
     * {@link CaptureSettings#publicationRefresh()} while capture runs.
     */
    public static CaptureService start(CaptureSettings settings) {
        return start(settings, settings::tables, ServiceMetrics.none());
    }

    /** {@link #start(CaptureSettings)}, measured into these metrics. */
    public static CaptureService start(CaptureSettings settings, ServiceMetrics metrics) {
        return start(settings, settings::tables, metrics);
    }

    /**
     * Like {@link #start(CaptureSettings, ServiceMetrics)}, and follows changes of the captured tables while it runs:
     * {@code tables} is asked at every check of the publication. A new list is checked like the
     * list at start (refused with one ERROR line, the old one kept, if a table named exactly cannot
     * be captured); then Debezium's engine is restarted from the last acknowledged offset with the
     * new table filter, which Debezium fixes while an engine runs, and only once it streams does the
     * publication follow: the tables added are published and copied, none other is copied again.
     */
    public static CaptureService start(CaptureSettings settings, Supplier<List<TableId>> tables, ServiceMetrics metrics) {
        LeaderPreflight.check(settings.leader(), settings.tables(), settings.timetzOffsets(), settings.slotName());
        LeaderPublication publication = new LeaderPublication(settings.leader(), settings.publicationName(),
                settings.slotName(), settings.tables(), Duration.ofMillis(settings.topicSettings().refreshMs()),
                settings.timetzOffsets());
        CaptureService service;
        try {
            publication.start();
            service = new CaptureService(settings, publication, tables, metrics);
        } catch (RuntimeException e) {
            CopyNotifications.stopListening(settings.topics().prefix());
        publication.close();
            throw e;
        }
        CopyNotifications.listen(settings.topics().prefix(), publication.notifications());
        service.runner.start();
        service.watermarks.start();
        long every = settings.publicationRefresh().toMillis();
        service.publicationRefresh.scheduleWithFixedDelay(service::refresh, every, every, TimeUnit.MILLISECONDS);
        return service;
    }

    /** The log's format; a compact log's schemas topic is created, and read whole. */
    private static LogEncoding encoding(CaptureSettings s, TopicProvisioner provisioner, TransactionalLog kafka) {
        if (s.logFormat() == LogFormat.JSON) {
            return new JsonLogEncoding();
        }
        String topic = s.topics().schemas();
        SchemaTopic.create(provisioner, topic);
        InMemorySchemas held = SchemaTopic.readAll(s.kafka().clientConfig(), topic);
        log.info("log format compact: {} holds {} schemas", topic, held.size());
        return new CompactLogEncoding(kafka, topic, held);
    }

    /**
     * One heartbeat as streaming starts. A transactional follower shows a new initial snapshot
     * together with the first transaction after it; on an idle leader that would be the next
     * periodic heartbeat, up to {@code capture.heartbeat.interval.ms} after the snapshot.
     */
    private void beatNow() {
        try (Connection c = settings.leader().open(); Statement s = c.createStatement()) {
            s.execute(HeartbeatTable.beatStatement(settings.slotName()));
        } catch (SQLException e) {
            log.warn("cannot write a heartbeat on leader {} as streaming starts: {}; the next one follows within {} ms",
                    settings.leader(), e.getMessage(), settings.heartbeatInterval().toMillis());
        }
    }

    private static Properties producerConfig(CaptureSettings s) {
        Properties p = s.kafka().producerConfig();
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("compression.type", "lz4");
        p.put("max.request.size", Integer.toString(TopicProvisioner.MAX_RECORD_BYTES));
        p.put("linger.ms", "5");
        p.put("batch.size", Integer.toString(256 * 1024));
        p.put("client.id", "replog-capture-" + s.slotName());
        return p;
    }

    private void runUntilStopped() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        boolean copied = !settings.copiesInitialSnapshot();
        // Right after a copy, Debezium streams on as after its own snapshot: the definitions published with the copy stand.
        boolean justCopied = false;
        while (!stopping) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<String> failureMessage = new AtomicReference<>();
            List<TableId> tables = engineTables;
            if (!copied) {
                try {
                    justCopied = copyInitialSnapshot(tables);
                    copied = true;
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    lastFailure = rootMessage(e);
                    retries.increment();
                    Duration delay = backoff.next();
                    log.warn("copy snapshot failed: {}; taken again from scratch in {} s", lastFailure, delay.toSeconds());
                    if (!Backoff.sleep(delay)) {
                        return;
                    }
                    continue;
                }
            }
            DebeziumEngine<RecordChangeEvent<SourceRecord>> e = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(DebeziumConfig.of(settings.withTables(tables), publication.signalTable(), publication.published()))
                    .notifying(publisher)
                    .using(new DebeziumEngine.ConnectorCallback() {
                        @Override
                        public void pollingStarted() {
                            log.info("capture started: slot {} publication {} on leader {}, tables {}",
                                    settings.slotName(), settings.publicationName(), settings.leader(), tables);
                            streamingTables = tables;
                            streamingNow = true;
                            lastFailure = null;
                            beatNow();
                            streaming.countDown();
                        }
                    })
                    .using((success, message, error) -> {
                        if (!success) {
                            failure.set(error);
                            failureMessage.set(message);
                        }
                    })
                    .build();
            engine.set(e);
            if (!justCopied) {
                publisher.engineStarting();
            }
            justCopied = false;
            long publishedBefore = publisher.publishedCount();
            e.run();
            streamingNow = false;
            streamingTables = null;
            if (stopping) {
                break;
            }
            if (stoppedForTables == e) {
                continue;
            }
            if (publisher.publishedCount() > publishedBefore) {
                // It streamed again since the last failure: this is a new outage, not the same one going on.
                backoff.reset();
            }
            if (failure.get() instanceof VirtualMachineError fatal) {
                // Out of memory (or worse) is not an outage to wait out: the process must die whole.
                throw fatal;
            }
            String why = failure.get() != null ? rootMessage(failure.get()) : failureMessage.get();
            lastFailure = why;
            retries.increment();
            Duration delay = backoff.next();
            log.warn("capture stopped on error at LSN {}: {}; restarting from the last acknowledged offset in {} s",
                    publisher.lastPublishedLsn(), why, delay.toSeconds());
            if (!Backoff.sleep(delay)) {
                return;
            }
        }
    }

    /**
     * capture.snapshot.method=copy: copies the tables unless Debezium has streamed for this capture already.
     *
     * @return whether it copied (a failure throws, and the copy is taken again from scratch after the backoff)
     */
    private boolean copyInitialSnapshot(List<TableId> tables) throws InterruptedException {
        CopySnapshot copy = new CopySnapshot(settings, DebeziumConfig.of(settings.withTables(tables), publication.signalTable(),
                publication.published()), publisher, publication.notifications());
        if (!copy.needed()) {
            return false;
        }
        publisher.engineStarting(); // every table's definition is published again before its first copied row
        copy.run(publication.published().stream().filter(t -> !t.equals(publication.signalTable())).toList());
        return true;
    }

    /** One periodic check: the captured tables' list, then the publication. */
    private void refresh() {
        try {
            followTables();
        } catch (RuntimeException e) {
            // A periodic task that throws is never run again: the publication would stop being checked.
            log.warn("cannot follow a change of capture.tables ({}); tried again at the next check", e.toString());
        }
        publication.refresh();
    }

    /** Restarts the engine for a new list, and hands the list to the publication once an engine streams with it. */
    private void followTables() {
        List<TableId> wanted = List.copyOf(wantedTables.get());
        List<TableId> running = streamingTables;
        if (wanted.equals(engineTables)) {
            refusal = null;
        } else if (running != null && !publisher.inInitialSnapshot()) {
            // (Restarted in its initial snapshot, Debezium would take the snapshot again from the start.)
            try {
                LeaderPreflight.checkTables(settings.leader(), wanted, settings.timetzOffsets());
                log.info("capture.tables changed from {} to {}: Debezium's engine restarts from the last acknowledged offset "
                        + "with the new tables (it fixes its table filter while it runs); the tables added are published and "
                        + "copied once it streams again, no other is copied again", engineTables, wanted);
                engineTables = wanted;
                refusal = null;
                restartEngine();
                return;
            } catch (CaptureException e) {
                String why = "capture.tables changed to " + wanted + ", but capture goes on with " + engineTables + " (checked "
                        + "again at each check): " + e.getMessage();
                if (!why.equals(refusal)) {
                    refusal = why;
                    log.error(why);
                }
            }
        }
        if (running != null && !running.equals(engineTables)) {
            restartEngine(); // built just before the list changed
        } else if (!publication.tables().equals(engineTables) && engineTables.equals(running)) {
            publication.tables(engineTables);
        }
    }

    private void restartEngine() {
        DebeziumEngine<RecordChangeEvent<SourceRecord>> e = engine.get();
        if (e != null && e != stoppedForTables) {
            stoppedForTables = e;
            try {
                e.close();
            } catch (IllegalStateException ex) {
                // Stopping or stopped already: it is restarted as it ends. Still starting its tasks (Debezium
                // refuses to stop then, "Cannot stop engine while tasks are starting"): the next check tries again.
                if (String.valueOf(ex.getMessage()).contains("starting")) {
                    stoppedForTables = null;
                }
            } catch (IOException ex) {
                log.warn("closing Debezium engine failed: {}", ex.getMessage());
            }
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (cause: " + c.getMessage() + ")";
    }

    /** Waits until Debezium streams (after the snapshot, if any, has started). */
    public boolean awaitStreaming(Duration timeout) throws InterruptedException {
        return streaming.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Ready while Debezium streams from the slot (after the initial snapshot has started). */
    public Health readiness() {
        if (streamingNow) {
            return Health.up("streaming from slot " + settings.slotName());
        }
        String failed = lastFailure;
        return Health.down(failed == null ? "capture is starting" : "capture restarts after an error: " + failed);
    }

    /** Live while the capture thread runs (it restarts Debezium after errors; it ends only when the process should). */
    public Health liveness() {
        return runner.isAlive() ? Health.up("capture thread running") : Health.down("capture thread ended");
    }

    /** Change events acknowledged by Kafka since start. */
    public long publishedCount() {
        return publisher.publishedCount();
    }

    /** Highest leader LSN whose batch Kafka has acknowledged. */
    public Lsn lastPublishedLsn() {
        return publisher.lastPublishedLsn();
    }

    @Override
    public void close() {
        stopping = true;
        watermarks.close();
        publicationRefresh.shutdownNow();
        try {
            publicationRefresh.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        DebeziumEngine<RecordChangeEvent<SourceRecord>> e = engine.get();
        if (e != null) {
            try {
                e.close();
            } catch (IOException | IllegalStateException ex) {
                // IllegalStateException: stopping already (for a new capture.tables), which the runner ends.
                log.warn("closing Debezium engine failed: {}", ex.getMessage());
            }
        }
        runner.interrupt();
        try {
            runner.join(30_000);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        slot.close();
        publication.writeCopyProgress(); // after the engine: the last rows it copied are counted
        publication.close();
        schemaTracker.close();
        kafka.close();
        admin.close(Duration.ofSeconds(10));
        log.info("capture stopped at LSN {} ({} events published)", publisher.lastPublishedLsn(), publisher.publishedCount());
    }
}
