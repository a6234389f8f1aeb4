package dev.replog.cli.e2e;

import dev.replog.schemas.compact.CompactWire;
import dev.replog.schemas.compact.ReplogCompactConverter;
import dev.replog.schemas.compact.SchemaId;
import dev.replog.topology.SchemaTopicLookup;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A log record of either format with its key and value as the JSON format writes them (headers,
 * offsets and timestamps kept), so that tests which read the JSON envelope read a compact log too.
 */
final class LogAsJson {

    private final ReplogCompactConverter keys;
    private final ReplogCompactConverter values;
    private final JsonConverter jsonKeys = new JsonConverter();
    private final JsonConverter jsonValues = new JsonConverter();

    LogAsJson(Replication r) {
        SchemaTopicLookup schemas = new SchemaTopicLookup(r.kafka().clientConfig(), r.topics().schemas());
        keys = new ReplogCompactConverter(schemas);
        keys.configure(Map.of(), true);
        values = new ReplogCompactConverter(schemas);
        values.configure(Map.of(), false);
        jsonKeys.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), true);
        jsonValues.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), false);
    }

    ConsumerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> rec) {
        if (!CompactWire.isCompact(rec.key()) && !CompactWire.isCompact(rec.value())) {
            return rec;
        }
        return new ConsumerRecord<>(rec.topic(), rec.partition(), rec.offset(), rec.timestamp(), rec.timestampType(),
                rec.serializedKeySize(), rec.serializedValueSize(), json(rec.topic(), rec.key(), keys, jsonKeys),
                json(rec.topic(), rec.value(), values, jsonValues), rec.headers(), Optional.empty());
    }

    private static byte[] json(String topic, byte[] compact, ReplogCompactConverter from, JsonConverter to) {
        if (compact == null) {
            return null;
        }
        if (CompactWire.schemaId(compact, "record").equals(SchemaId.NONE)) {
            String payload = new String(compact, CompactWire.HEADER, compact.length - CompactWire.HEADER, StandardCharsets.UTF_8);
            return ("{\"schema\":null,\"payload\":" + payload + "}").getBytes(StandardCharsets.UTF_8);
        }
        SchemaAndValue data = from.toConnectData(topic, compact);
        return to.fromConnectData(topic, data.schema(), data.value());
    }
}
