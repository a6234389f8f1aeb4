package dev.replog.capture;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes a key or value exactly as Kafka's JsonConverter with schemas embedded writes it,
 * {@code {"schema":<schema>,"payload":<payload>}}, without converting and writing the schema for
 * every event: the schema of one table version is the same bytes in every event. The bytes are kept
 * per topic with the {@link Schema} they were written for; Debezium passes the same Schema object
 * event after event, so identity finds them without {@code ConnectSchema.equals}. When it builds a
 * new but equal object (it may, e.g. per transaction), one equals check moves the bytes to it:
 * JsonConverter itself caches the schema JSON by equality. Per event only the payload is written,
 * by a converter with schemas disabled (the same conversion of values). One entry per topic keeps
 * no outdated Schema objects alive.
 *
 * <p>The schema bytes are not produced separately but cut out of the full converter's output for the
 * first event of each schema, after checking that the output is exactly schema part + payload; a
 * schema for which that does not hold is always written by the full converter. So the bytes on the
 * wire are the full converter's by construction.
 *
 * <p>Not thread-safe: used from Debezium's batch handler only.
 */
final class EnvelopeEncoder {

    private static final byte[] SCHEMA_FIELD = "{\"schema\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAYLOAD_FIELD = ",\"payload\":".getBytes(StandardCharsets.US_ASCII);
    /** Marks a schema whose envelope is not schema part + payload: the full converter writes it. */
    private static final byte[] NOT_SPLIT = new byte[0];

    /** The schema bytes last written to a topic, and the Schema they were written for. */
    private record Known(Schema schema, byte[] bytes) {
    }

    private final JsonConverter full;
    private final JsonConverter payloadOnly;
    private final Map<String, Known> byTopic = new HashMap<>();

    EnvelopeEncoder(boolean isKey) {
        this.full = converter(isKey, true);
        this.payloadOnly = converter(isKey, false);
    }

    private static JsonConverter converter(boolean isKey, boolean schemas) {
        JsonConverter c = new JsonConverter();
        // Schemas travel with every event: Kafka Connect sinks need them, and dates, times and
        // decimals are only decodable through their schema names. Explicit NULLs must stay NULL
        // instead of becoming the column default.
        c.configure(Map.of("schemas.enable", Boolean.toString(schemas), "replace.null.with.default", "false",
                "schemas.cache.size", "10000"), isKey);
        return c;
    }

    byte[] encode(String topic, Schema schema, Object value) {
        if (schema == null) {
            return full.fromConnectData(topic, null, value);
        }
        Known known = byTopic.get(topic);
        if (known == null || known.schema() != schema && !known.schema().equals(schema)) {
            return firstOf(topic, schema, value);
        }
        if (known.schema() != schema) {
            byTopic.put(topic, new Known(schema, known.bytes()));
        }
        if (known.bytes() == NOT_SPLIT) {
            return full.fromConnectData(topic, schema, value);
        }
        return envelope(known.bytes(), payloadOnly.fromConnectData(topic, schema, value));
    }

    private byte[] firstOf(String topic, Schema schema, Object value) {
        byte[] whole = full.fromConnectData(topic, schema, value);
        byte[] payload = payloadOnly.fromConnectData(topic, schema, value);
        byte[] part = schemaPart(whole, payload);
        byTopic.put(topic, new Known(schema, part == null ? NOT_SPLIT : part));
        return whole;
    }

    /** The schema's bytes if {@code whole} is {@code {"schema":<them>,"payload":<payload>}}, else null. */
    static byte[] schemaPart(byte[] whole, byte[] payload) {
        if (whole == null || payload == null) {
            return null;
        }
        int schemaEnd = whole.length - 1 - payload.length - PAYLOAD_FIELD.length;
        if (schemaEnd <= SCHEMA_FIELD.length || whole[whole.length - 1] != '}'
                || !Arrays.equals(whole, 0, SCHEMA_FIELD.length, SCHEMA_FIELD, 0, SCHEMA_FIELD.length)
                || !Arrays.equals(whole, schemaEnd, schemaEnd + PAYLOAD_FIELD.length, PAYLOAD_FIELD, 0, PAYLOAD_FIELD.length)
                || !Arrays.equals(whole, schemaEnd + PAYLOAD_FIELD.length, whole.length - 1, payload, 0, payload.length)) {
            return null;
        }
        return Arrays.copyOfRange(whole, SCHEMA_FIELD.length, schemaEnd);
    }

    private static byte[] envelope(byte[] schema, byte[] payload) {
        byte[] out = new byte[SCHEMA_FIELD.length + schema.length + PAYLOAD_FIELD.length + payload.length + 1];
        int at = 0;
        System.arraycopy(SCHEMA_FIELD, 0, out, at, SCHEMA_FIELD.length);
        at += SCHEMA_FIELD.length;
        System.arraycopy(schema, 0, out, at, schema.length);
        at += schema.length;
        System.arraycopy(PAYLOAD_FIELD, 0, out, at, PAYLOAD_FIELD.length);
        at += PAYLOAD_FIELD.length;
        System.arraycopy(payload, 0, out, at, payload.length);
        out[out.length - 1] = '}';
        return out;
    }
}
