package dev.replog.schemas;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Splits a record written by JsonConverter with schemas embedded ({@code {"schema":..,"payload":..}})
 * into its schema and its payload without building a tree of the schema for every record: the schema
 * of one table version is the same bytes in every event, so it is parsed once and found again by its
 * bytes; only the payload is parsed per record. The parts are what a tree parse of the whole record
 * would give. {@link #readPayload} goes one step further and hands the payload's tokens to a reader
 * that decodes them without a tree.
 *
 * <p>Not thread-safe: one per decoder.
 */
final class EnvelopeReader {

    /** The two parts; a part the record lacks is a {@link MissingNode}. */
    record Parts(JsonNode schema, JsonNode payload) {
    }

    private static final byte[] SCHEMA_FIELD = "{\"schema\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAYLOAD_FIELD = ",\"payload\":".getBytes(StandardCharsets.US_ASCII);
    /** More distinct schemas than this means many table versions: start over rather than grow. */
    private static final int MAX_SCHEMAS = 10_000;

    private final ObjectMapper json;
    private final Map<SchemaBytes, Known> schemas = new HashMap<>();
    /** The schema found last: consecutive records are mostly of one table, so it is tried first. */
    private Known last;

    /** A schema's bytes (a copy) and its tree. */
    private record Known(SchemaBytes bytes, JsonNode tree) {
    }

    EnvelopeReader(ObjectMapper json) {
        this.json = json;
    }

    /** @param what "key" or "value", for the message of a malformed record */
    Parts read(byte[] record, String what) {
        Parts known = readWithLastSchema(record);
        if (known != null) {
            return known;
        }
        try (JsonParser p = json.getFactory().createParser(record)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                JsonNode whole = p.currentToken() == null ? MissingNode.getInstance() : json.readTree(p);
                return new Parts(whole.path("schema"), whole.path("payload"));
            }
            JsonNode schema = MissingNode.getInstance();
            JsonNode payload = MissingNode.getInstance();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken token = p.nextToken();
                if (name.equals("schema") && token == JsonToken.START_OBJECT) {
                    int start = (int) p.currentTokenLocation().getByteOffset();
                    p.skipChildren();
                    schema = schemaAt(record, start, (int) p.currentLocation().getByteOffset());
                } else if (name.equals("schema")) {
                    schema = json.readTree(p);
                } else if (name.equals("payload")) {
                    payload = json.readTree(p);
                } else {
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new EventFormatException("record " + what + " is not valid JSON: unexpected " + p.currentToken());
            }
            return new Parts(schema, payload);
        } catch (IOException e) {
            throw new EventFormatException("record " + what + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * The common case without tokenizing the schema: the record starts with {@code {"schema":} and
     * then the bytes of the last schema. Those bytes are one complete JSON object, so the record's
     * schema is exactly that object; then must come {@code ,"payload":}, one JSON value and the
     * closing brace. Anything else (returns null) goes the general way.
     */
    private Parts readWithLastSchema(byte[] record) {
        int payloadStart = payloadAfterLastSchema(record);
        if (payloadStart < 0) {
            return null;
        }
        try (JsonParser p = json.getFactory().createParser(record, payloadStart, record.length - 1 - payloadStart)) {
            if (p.nextToken() == null) {
                return null;
            }
            JsonNode payload = json.readTree(p);
            return p.nextToken() == null ? new Parts(last.tree(), payload) : null;
        } catch (IOException e) {
            return null; // the general way reports it
        }
    }

    /** Where the payload starts if the record is {@code {"schema":<the last schema>,"payload":...}}; else -1. */
    private int payloadAfterLastSchema(byte[] record) {
        if (last == null) {
            return -1;
        }
        SchemaBytes s = last.bytes();
        int schemaEnd = SCHEMA_FIELD.length + s.length();
        int payloadStart = schemaEnd + PAYLOAD_FIELD.length;
        if (record.length <= payloadStart || record[record.length - 1] != '}'
                || !Arrays.equals(record, 0, SCHEMA_FIELD.length, SCHEMA_FIELD, 0, SCHEMA_FIELD.length)
                || !Arrays.equals(record, SCHEMA_FIELD.length, schemaEnd, s.array, s.from, s.to)
                || !Arrays.equals(record, schemaEnd, payloadStart, PAYLOAD_FIELD, 0, PAYLOAD_FIELD.length)) {
            return -1;
        }
        return payloadStart;
    }

    /** Decodes a payload from its tokens. */
    interface PayloadReader<T> {
        /**
         * @param payload at the payload's first token; to be left at its last
         * @return null if this payload is not one the reader decodes
         */
        T read(JsonNode schema, JsonParser payload) throws IOException;
    }

    /**
     * The record's payload decoded by {@code reader} from its tokens, without its tree; for records
     * laid out as JsonConverter writes them ({@code {"schema":{...},"payload":...}}, no spaces).
     * Null where that is not the whole answer: another layout, JSON that is not valid, a reader that
     * gives up. {@link #read} then gives the parts, or the error.
     */
    <T> T readPayload(byte[] record, PayloadReader<T> reader) {
        try {
            if (payloadAfterLastSchema(record) < 0) {
                learnSchema(record);
            }
            int payloadStart = payloadAfterLastSchema(record);
            if (payloadStart < 0) {
                return null;
            }
            try (JsonParser p = json.getFactory().createParser(record, payloadStart, record.length - 1 - payloadStart)) {
                T decoded = p.nextToken() == null ? null : reader.read(last.tree(), p);
                return decoded != null && p.nextToken() == null ? decoded : null;
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** Makes the schema of a record that starts with {@code {"schema":{} the last schema (a table switch). */
    private void learnSchema(byte[] record) throws IOException {
        try (JsonParser p = json.getFactory().createParser(record)) {
            if (p.nextToken() == JsonToken.START_OBJECT && p.nextToken() == JsonToken.FIELD_NAME
                    && p.currentName().equals("schema") && p.nextToken() == JsonToken.START_OBJECT
                    && p.currentTokenLocation().getByteOffset() == SCHEMA_FIELD.length) {
                p.skipChildren();
                schemaAt(record, SCHEMA_FIELD.length, (int) p.currentLocation().getByteOffset());
            }
        }
    }

    private JsonNode schemaAt(byte[] record, int start, int end) throws IOException {
        SchemaBytes probe = new SchemaBytes(record, start, end);
        Known known = schemas.get(probe);
        if (known != null) {
            last = known;
            return known.tree();
        }
        if (schemas.size() >= MAX_SCHEMAS) {
            schemas.clear();
        }
        JsonNode parsed = json.readTree(record, start, end - start);
        SchemaBytes copy = new SchemaBytes(Arrays.copyOfRange(record, start, end), 0, end - start);
        last = new Known(copy, parsed);
        schemas.put(copy, last);
        return parsed;
    }

    /** A range of bytes compared by content, so that a record's bytes can look up a stored copy. */
    private static final class SchemaBytes {
        private final byte[] array;
        private final int from;
        private final int to;
        private final int hash;

        SchemaBytes(byte[] array, int from, int to) {
            this.array = array;
            this.from = from;
            this.to = to;
            int h = 1;
            for (int i = from; i < to; i++) {
                h = 31 * h + array[i];
            }
            this.hash = h;
        }

        int length() {
            return to - from;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SchemaBytes b && b.hash == hash && Arrays.equals(array, from, to, b.array, b.from, b.to);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
