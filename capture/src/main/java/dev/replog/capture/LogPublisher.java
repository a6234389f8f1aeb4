package dev.replog.capture;

import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.topology.TopicNames;
import dev.replog.topology.TopicProvisioner;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes Debezium's batches to the replication log. The rule that makes capture lossless: the
 * whole batch is sent, every send is acknowledged by Kafka (acks=all), and only then are the
 * records marked processed, so Debezium's offset and the slot never move past what Kafka holds.
 */
final class LogPublisher implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private final Producer<byte[], byte[]> producer;
    private final TopicProvisioner provisioner;
    private final TopicNames topics;
    private final JsonConverter keyConverter = converter(true);
    private final JsonConverter valueConverter = converter(false);
    private final AtomicLong published = new AtomicLong();
    private volatile Lsn lastLsn = Lsn.ZERO;

    LogPublisher(Producer<byte[], byte[]> producer, TopicProvisioner provisioner, TopicNames topics) {
        this.producer = producer;
        this.provisioner = provisioner;
        this.topics = topics;
    }

    private static JsonConverter converter(boolean isKey) {
        JsonConverter c = new JsonConverter();
        // Schemas travel with every event: Kafka Connect sinks need them, and dates, times and
        // decimals are only decodable through their schema names. Explicit NULLs must stay NULL
        // instead of becoming the column default.
        c.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false",
                "schemas.cache.size", "10000"), isKey);
        return c;
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> batch,
                            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> sends = new ArrayList<>(batch.size());
        Lsn batchLsn = lastLsn;
        int changes = 0;
        for (RecordChangeEvent<SourceRecord> event : batch) {
            SourceRecord r = event.record();
            if (isHeartbeat(r.topic())) {
                continue;
            }
            Struct source = sourceOf(r);
            if (source != null && HeartbeatTable.isHeartbeat(new TableId(source.getString("schema"), source.getString("table")))) {
                continue;
            }
            if (source != null) {
                changes++;
                Lsn lsn = new Lsn(source.getInt64("lsn"));
                if (lsn.isAfter(batchLsn)) {
                    batchLsn = lsn;
                }
            }
            send(r, source, sends);
        }
        for (Future<RecordMetadata> f : sends) {
            try {
                f.get();
            } catch (ExecutionException e) {
                // Nothing of this batch is marked processed: Debezium stops, and the next start
                // resends from the last acknowledged offset.
                throw new CaptureException("Kafka did not accept a change event: " + e.getCause().getMessage(), e.getCause());
            }
        }
        for (RecordChangeEvent<SourceRecord> event : batch) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
        published.addAndGet(changes);
        lastLsn = batchLsn;
    }

    private void send(SourceRecord r, Struct source, List<Future<RecordMetadata>> sends) {
        String topic = r.topic();
        byte[] key = r.key() == null ? null : keyConverter.fromConnectData(topic, r.keySchema(), r.key());
        byte[] value = r.value() == null ? null : valueConverter.fromConnectData(topic, r.valueSchema(), r.value());
        RecordHeaders headers = headers(r, source);
        if (topic.equals(topics.transactions())) {
            provisioner.ensureOrderedTopic(topic, false);
            sends.add(producer.send(new ProducerRecord<>(topic, 0, key, value, headers)));
        } else if (key == null && value != null) {
            // A truncate has no key. Each partition gets a copy so that it is ordered against every
            // key's events; the applier truncates once all copies have arrived.
            provisioner.ensureTableTopic(topic);
            int partitions = provisioner.partitionsOf(topic);
            for (int p = 0; p < partitions; p++) {
                sends.add(producer.send(new ProducerRecord<>(topic, p, (byte[]) null, value, headers)));
            }
        } else {
            provisioner.ensureTableTopic(topic);
            sends.add(producer.send(new ProducerRecord<>(topic, (Integer) null, key, value, headers)));
        }
    }

    private boolean isHeartbeat(String topic) {
        return topic.startsWith("__debezium-heartbeat");
    }

    private static Struct sourceOf(SourceRecord r) {
        if (r.value() instanceof Struct v && v.schema().field("source") != null) {
            return v.getStruct("source");
        }
        return null;
    }

    private static RecordHeaders headers(SourceRecord r, Struct source) {
        RecordHeaders h = new RecordHeaders();
        h.add(LogHeaders.FORMAT, utf8(LogHeaders.FORMAT_VERSION));
        if (source == null) {
            return h;
        }
        h.add(LogHeaders.LSN, utf8(new Lsn(source.getInt64("lsn")).toString()));
        Long txId = source.getInt64("txId");
        if (txId != null) {
            h.add(LogHeaders.TX_ID, utf8(Long.toString(txId)));
        }
        Object snapshot = source.get("snapshot");
        if (snapshot != null && !"false".equals(snapshot.toString())) {
            h.add(LogHeaders.SNAPSHOT, utf8("true"));
        }
        if (r.value() instanceof Struct v && v.schema().field("transaction") != null) {
            Struct tx = v.getStruct("transaction");
            if (tx != null) {
                h.add(LogHeaders.TX_ORDER, utf8(tx.get("total_order").toString()));
            }
        }
        Field sequence = source.schema().field("sequence");
        if (sequence != null && source.get(sequence) != null) {
            String previousCommit = previousCommitLsn(source.getString("sequence"));
            if (previousCommit != null) {
                h.add(LogHeaders.PREVIOUS_COMMIT_LSN, utf8(new Lsn(Long.parseLong(previousCommit)).toString()));
            }
        }
        return h;
    }

    /** Debezium's source.sequence is a JSON array in a string: {@code ["<lastCommitLsn>","<lsn>"]}. */
    static String previousCommitLsn(String sequence) {
        String body = sequence.replaceAll("[\\[\\]\" ]", "");
        String first = body.split(",", -1)[0];
        return first.isEmpty() || first.equals("null") ? null : first;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Row changes and truncates published (not tombstones, heartbeats or transaction markers). */
    long publishedCount() {
        return published.get();
    }

    Lsn lastPublishedLsn() {
        return lastLsn;
    }
}
