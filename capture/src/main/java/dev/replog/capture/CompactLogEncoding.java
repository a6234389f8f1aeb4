package dev.replog.capture;

import dev.replog.schemas.LogFormat;
import dev.replog.schemas.compact.CompactRecord;
import dev.replog.schemas.compact.CompactSchemas;
import dev.replog.schemas.compact.CompactWire;
import dev.replog.schemas.compact.InMemorySchemas;
import dev.replog.schemas.compact.SchemaId;
import dev.replog.schemas.compact.SchemaRecord;
import dev.replog.topology.SchemaTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.data.Schema;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * The compact format (schemas/README.md, "Compact format"): each key and value framed with its
 * schema's id, values in binary. A schema the schemas topic does not hold yet is sent there in the
 * same Kafka transaction as, and before, the first record that uses it ("durable before use"); it
 * counts as held only once that transaction committed, so an abandoned batch's schemas are sent again
 * with its next attempt.
 */
final class CompactLogEncoding implements LogEncoding {

    private static final int CHECKED_AT_MOST = 10_000;

    private final TransactionalLog kafka;
    private final String schemasTopic;
    /** The schemas topic's records: read at start, and those of every transaction committed since. */
    private final InMemorySchemas held;
    /** Schema records sent in the open transaction. */
    private final Map<SchemaId, SchemaRecord> sent = new HashMap<>();
    /** Schema records known to be held, by identity: most records need no look-up at all. */
    private final Set<SchemaRecord> checked = Collections.newSetFromMap(new IdentityHashMap<>());
    private final CompactRecord records = new CompactRecord(new CompactSchemas(id -> null));

    /** @param held the schemas topic as read at start ({@link SchemaTopic#readAll}) */
    CompactLogEncoding(TransactionalLog kafka, String schemasTopic, InMemorySchemas held) {
        this.kafka = kafka;
        this.schemasTopic = schemasTopic;
        this.held = held;
    }

    @Override
    public LogFormat format() {
        return LogFormat.COMPACT;
    }

    @Override
    public byte[] encode(String topic, Schema schema, Object value, boolean isKey, List<Future<RecordMetadata>> sends) {
        CompactRecord.Encoded encoded = records.encode(topic, schema, value);
        SchemaRecord needed = encoded.schema();
        if (needed != null && !checked.contains(needed)) {
            check(needed, sends);
        }
        return encoded.bytes();
    }

    /** Once per schema record object (CompactSchemas hands out one per schema): held, sent, or to send now. */
    private void check(SchemaRecord needed, List<Future<RecordMetadata>> sends) {
        byte[] known = held.schemaJson(needed.id());
        if (known == null && !sent.containsKey(needed.id())) {
            sends.add(kafka.send(new ProducerRecord<>(schemasTopic, SchemaTopic.PARTITION, needed.key(), needed.json())));
            sent.put(needed.id(), needed);
        } else if (known != null && !Arrays.equals(known, needed.json())) {
            throw new CaptureException("schema id " + needed.id() + " of " + schemasTopic + " names two different schemas "
                    + "(a hash collision): this table version cannot be written in the compact format");
        }
        if (known != null) {
            if (checked.size() >= CHECKED_AT_MOST) {
                checked.clear();
            }
            checked.add(needed);
        }
    }

    @Override
    public byte[] own(byte[] json) {
        return CompactWire.schemaless(json);
    }

    @Override
    public void committed() {
        sent.values().forEach(held::add);
        sent.clear();
    }

    @Override
    public void abandoned() {
        sent.clear();
    }
}
