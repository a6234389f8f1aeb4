package dev.replog.capture;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Writes a key or value exactly as Kafka's JsonConverter with schemas embedded writes it,
 * {@code {"schema":<schema>,"payload":<payload>}}, without converting and writing the schema for
 * every event: the schema of one table version is the same bytes in every event. Debezium reuses one
 * {@link Schema} object per table version, so its bytes are kept by identity (no
 * {@code ConnectSchema.equals}); per event only the payload is written, by a converter with schemas
 * disabled (the same conversion of values).
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
    /** More distinct schema objects than this means many table versions: start over rather than grow. */
    private static final int MAX_SCHEMAS = 10_000;

    private final JsonConverter full;
    private final JsonConverter payloadOnly;
    private final Map<Schema, byte[]> schemaBytes = new IdentityHashMap<>();

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
        byte[] known = schemaBytes.get(schema);
        if (known == null) {
            return firstOf(topic, schema, value);
        }
        if (known == NOT_SPLIT) {
            return full.fromConnectData(topic, schema, value);
        }
        return envelope(known, payloadOnly.fromConnectData(topic, schema, value));
    }

    private byte[] firstOf(String topic, Schema schema, Object value) {
        byte[] whole = full.fromConnectData(topic, schema, value);
        byte[] payload = payloadOnly.fromConnectData(topic, schema, value);
        byte[] part = schemaPart(whole, payload);
        if (schemaBytes.size() >= MAX_SCHEMAS) {
            schemaBytes.clear();
        }
        schemaBytes.put(schema, part == null ? NOT_SPLIT : part);
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
