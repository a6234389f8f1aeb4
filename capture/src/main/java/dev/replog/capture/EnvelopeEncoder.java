package dev.replog.capture;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * by {@link PayloadWriter} straight after the schema bytes into the event's array: the converter's
 * JsonNode tree of the payload was half of capture's batch thread on a bulk insert. One entry per
 * topic keeps no outdated Schema objects alive.
 *
 * <p>The envelope's head ({@code {"schema":<schema>,"payload":}) is not produced separately but cut
 * out of the full converter's output for the first event of each schema, after checking that the
 * output is exactly head + payload + {@code }}; a schema for which that does not hold is always
 * written by the full converter. The payload writer is checked on that first event too: where its
 * payload is not the converter's, the schema's payloads are the converter's (with a warning, as that
 * is a bug to fix). So the bytes on the wire are the full converter's by construction for the head
 * and by that check and the writer's tests for the payload. A value the writer rejects goes to the
 * converter, which writes it or fails as before.
 *
 * <p>Not thread-safe: used from Debezium's batch handler only.
 */
final class EnvelopeEncoder {

    private static final Logger log = LoggerFactory.getLogger(EnvelopeEncoder.class);
    private static final byte[] SCHEMA_FIELD = "{\"schema\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAYLOAD_FIELD = ",\"payload\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOTHING = new byte[0];
    private static final byte[] CLOSE = {'}'};
    /** Marks a schema whose envelope is not head + payload: the full converter writes it. */
    private static final byte[] NOT_SPLIT = new byte[0];

    /**
     * The envelope head last written to a topic, the Schema it was written for, and whether the
     * payload writer wrote that schema's first payload as the converter did.
     */
    private record Known(Schema schema, byte[] head, boolean direct) {
    }

    private final JsonConverter full;
    private final JsonConverter payloadOnly;
    private final PayloadWriter writer = new PayloadWriter();
    private final Map<String, Known> byTopic = new HashMap<>();

    EnvelopeEncoder(boolean isKey) {
        this.full = converter(isKey, true);
        this.payloadOnly = converter(isKey, false);
    }

    private static JsonConverter converter(boolean isKey, boolean schemas) {
        JsonConverter c = new JsonConverter();
        // Schemas travel with every event: Kafka Connect sinks need them, and dates, times and
        // decimals are only decodable through their schema names. Explicit NULLs must stay NULL
        // instead of becoming the column default. PayloadWriter writes what this configuration
        // writes (decimal.format stays BASE64).
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
            byTopic.put(topic, new Known(schema, known.head(), known.direct()));
        }
        if (known.head() == NOT_SPLIT) {
            return full.fromConnectData(topic, schema, value);
        }
        if (!known.direct()) {
            return envelope(known.head(), payloadOnly.fromConnectData(topic, schema, value));
        }
        try {
            return writer.write(known.head(), schema, value, CLOSE);
        } catch (RuntimeException rejected) {
            return byConverter(known.head(), topic, schema, value, rejected);
        }
    }

    /** A value the payload writer rejected: the converter's bytes if it writes it, else the writer's error naming the field. */
    private byte[] byConverter(byte[] head, String topic, Schema schema, Object value, RuntimeException rejected) {
        byte[] payload;
        try {
            payload = payloadOnly.fromConnectData(topic, schema, value);
        } catch (RuntimeException failed) {
            rejected.addSuppressed(failed);
            throw rejected;
        }
        return envelope(head, payload);
    }

    private byte[] firstOf(String topic, Schema schema, Object value) {
        byte[] whole = full.fromConnectData(topic, schema, value);
        byte[] payload = payloadOnly.fromConnectData(topic, schema, value);
        byte[] head = head(whole, payload);
        byTopic.put(topic, head == null ? new Known(schema, NOT_SPLIT, false)
                : new Known(schema, head, writesAsConverter(topic, schema, value, payload)));
        return whole;
    }

    private boolean writesAsConverter(String topic, Schema schema, Object value, byte[] payload) {
        try {
            if (Arrays.equals(writer.write(NOTHING, schema, value, NOTHING), payload)) {
                return true;
            }
            log.warn("Events of topic {} are written by Kafka's JsonConverter: capture's payload writer writes "
                    + "their values differently (a bug; please report it with the table's definition)", topic);
        } catch (RuntimeException e) {
            log.warn("Events of topic {} are written by Kafka's JsonConverter: capture's payload writer "
                    + "rejects a value the converter writes (a bug; please report it): {}", topic, e.toString());
        }
        return false;
    }

    /** {@code {"schema":<schema>,"payload":} if {@code whole} is that, {@code payload} and {@code }}, else null. */
    static byte[] head(byte[] whole, byte[] payload) {
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
        return Arrays.copyOfRange(whole, 0, schemaEnd + PAYLOAD_FIELD.length);
    }

    private static byte[] envelope(byte[] head, byte[] payload) {
        byte[] out = Arrays.copyOf(head, head.length + payload.length + 1);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        out[out.length - 1] = '}';
        return out;
    }
}
