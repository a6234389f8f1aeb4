package dev.replog.schemas.compact;

import dev.replog.schemas.EventFormatException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;

import java.util.Arrays;
import java.util.Map;

/**
 * A Connect key or value as a compact record ({@link CompactWire}) and back: what capture writes in
 * the compact format and what {@link ReplogCompactConverter} gives Kafka Connect. A value without a
 * schema (Replog's watermarks and schema changes) is written as JsonConverter writes it with schemas
 * disabled, after schema id 0. Not thread-safe.
 */
public final class CompactRecord {

    /** The record's bytes and the schema record they need in the schemas topic first (null: no schema). */
    public record Encoded(byte[] bytes, SchemaRecord schema) {
    }

    private final CompactSchemas schemas;
    private final JsonConverter schemaless = new JsonConverter();
    private final BinaryOut out = new BinaryOut();

    public CompactRecord(CompactSchemas schemas) {
        this.schemas = schemas;
        schemaless.configure(Map.of("schemas.enable", "false", "replace.null.with.default", "false"), false);
    }

    /** A record with a value; a tombstone (no schema, no value) is not a record but null, written by the caller. */
    public Encoded encode(String topic, Schema schema, Object value) {
        out.reset();
        if (schema == null) {
            CompactWire.writeHeader(out, SchemaId.NONE);
            byte[] json = schemaless.fromConnectData(topic, null, value);
            byte[] head = out.toArray();
            byte[] bytes = Arrays.copyOf(head, head.length + json.length);
            System.arraycopy(json, 0, bytes, head.length, json.length);
            return new Encoded(bytes, null);
        }
        SchemaRecord record = schemas.recordOf(schema);
        CompactWire.writeHeader(out, record.id());
        try {
            ConnectValues.write(out, schema, value);
        } catch (DataException e) {
            throw new DataException("topic " + topic + ": " + e.getMessage(), e);
        }
        return new Encoded(out.toArray(), record);
    }

    /**
     * A value under a schema whose id is already known, without computing it again: what a reader that
     * writes keys exactly as capture did needs (serve's lookups by key). Thread-safe.
     */
    public static byte[] encode(SchemaId id, Schema schema, Object value) {
        BinaryOut out = new BinaryOut();
        CompactWire.writeHeader(out, id);
        ConnectValues.write(out, schema, value);
        return out.toArray();
    }

    /** @param what "key" or "value", for messages */
    public SchemaAndValue decode(String topic, byte[] record, String what) {
        SchemaId id = CompactWire.schemaId(record, what);
        if (id.equals(SchemaId.NONE)) {
            return schemaless.toConnectData(topic, Arrays.copyOfRange(record, CompactWire.HEADER, record.length));
        }
        Schema schema = schemas.schemaOf(id);
        BinaryIn in = new BinaryIn(record, CompactWire.HEADER);
        Object value = ConnectValues.read(in, schema);
        if (!in.atEnd()) {
            throw new EventFormatException("compact " + what + " of topic " + topic + ": " + (record.length - in.position())
                    + " bytes left after the value of schema " + id);
        }
        return new SchemaAndValue(schema, value);
    }
}
