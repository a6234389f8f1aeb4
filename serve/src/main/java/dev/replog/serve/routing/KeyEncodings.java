package dev.replog.serve.routing;

import dev.replog.schemas.RowChange;
import dev.replog.schemas.TableId;
import dev.replog.schemas.compact.LogDecoder;
import dev.replog.schemas.compact.SchemaLookup;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link KeyEncoding} of each served table, each checked against a real key before use: a key
 * written from the decoded key values must equal, byte for byte, the key capture wrote. Learnt from
 * the records this instance applies and, for a table it owns no partition of, read from the tail of
 * the table's topic.
 */
public final class KeyEncodings {

    private static final Logger log = LoggerFactory.getLogger(KeyEncodings.class);
    /**
     * Records read back from the end of each partition when looking for a key, first; the window grows
     * eightfold while it holds none (the tail of an idle table is capture's watermarks).
     */
    private static final int PROBE_FIRST_DEPTH = 64;
    private static final Duration PROBE_TIME = Duration.ofSeconds(10);

    /** A table's encoding, or why keys of the table cannot be routed. */
    public record Known(KeyEncoding encoding, String problem) {
        public boolean usable() {
            return problem == null;
        }
    }

    private final Map<TableId, Known> known = new ConcurrentHashMap<>();
    private final KafkaSettings kafka;
    private final TopicNames topics;
    private final SchemaLookup schemas;

    /** @param schemas the schemas topic, for keys in the compact format */
    public KeyEncodings(KafkaSettings kafka, TopicNames topics, SchemaLookup schemas) {
        this.kafka = kafka;
        this.topics = topics;
        this.schemas = schemas;
    }

    /** Whether a record key is written under the encoding already known for its table (the hot path). */
    public boolean knows(TableId table, byte[] recordKey) {
        Known k = known.get(table);
        return k != null && k.encoding().sameSchema(recordKey);
    }

    /** Learns (and checks) the encoding of a record key whose decoded key values are {@code keyValues}. */
    public void learn(TableId table, byte[] recordKey, List<String> keyValues) {
        KeyEncoding encoding = KeyEncoding.of(recordKey, schemas);
        Known k;
        if (encoding == null) {
            k = new Known(null, "keys of " + table + " are neither JsonConverter keys with the schema embedded "
                    + "nor compact keys of a schema in the schemas topic");
        } else if (encoding.unwritableColumn() != null) {
            KeyEncoding.KeyColumn c = encoding.unwritableColumn();
            k = new Known(encoding, "key column " + c.name() + " of " + table + " travels as " + c.connectType()
                    + (c.semanticName().isEmpty() ? "" : " (" + c.semanticName() + ")") + ", which lookups by key do not support");
        } else if (!encoding.matches(keyValues, recordKey)) {
            k = new Known(encoding, "keys of " + table + " cannot be written from their text values exactly as capture wrote them "
                    + "(key columns " + encoding.columnNames() + "), so a lookup could go to the wrong partition");
        } else {
            k = new Known(encoding, null);
        }
        Known before = known.put(table, k);
        if (!k.usable() && (before == null || before.usable())) {
            log.warn("serve cannot route lookups of {}: {}", table, k.problem());
        }
    }

    /** The table's encoding, reading the end of its topic for a key if none was seen yet; empty if the topic has none. */
    public Optional<Known> of(TableId table) {
        Known k = known.get(table);
        if (k == null) {
            probe(table);
            k = known.get(table);
        }
        return Optional.ofNullable(k);
    }

    private void probe(TableId table) {
        Properties p = kafka.clientConfig();
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("client.id", "replog-serve-key-probe");
        String topic = topics.forTable(table);
        LogDecoder decoder = new LogDecoder(schemas);
        Instant deadline = Instant.now().plus(PROBE_TIME);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                return;
            }
            List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            Map<TopicPartition, Long> ends = c.endOffsets(parts);
            Map<TopicPartition, Long> starts = c.beginningOffsets(parts);
            for (long depth = PROBE_FIRST_DEPTH; Instant.now().isBefore(deadline); depth *= 8) {
                boolean wholeLogRead = true;
                for (TopicPartition tp : parts) {
                    long from = Math.max(starts.get(tp), ends.get(tp) - depth);
                    wholeLogRead &= from == starts.get(tp);
                    c.seek(tp, from);
                }
                // Reads each window to its end: the last row change found is the newest key.
                RowChange found = null;
                byte[] foundKey = null;
                while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && Instant.now().isBefore(deadline)) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        if (r.key() != null && r.value() != null && r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))
                                && decoder.decode(r.key(), r.value()) instanceof RowChange change) {
                            found = change;
                            foundKey = r.key();
                        }
                    }
                }
                if (found != null) {
                    learn(table, foundKey, KeyValues.of(found));
                    return;
                }
                if (wholeLogRead) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            log.warn("serve could not read a key of {} from topic {}: {}", table, topic, e.getMessage());
        }
    }

}
