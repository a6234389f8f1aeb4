package dev.replog.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Connect value as the bytes Kafka's JsonConverter writes for it with schemas disabled,
 * {@code replace.null.with.default=false} and the default {@code decimal.format=BASE64}, but straight
 * into a reused buffer with a Jackson generator. The converter first builds a JsonNode tree of the
 * whole value and then serializes the tree: on a bulk insert that was half of capture's batch thread.
 *
 * <p>The bytes are the converter's because the same rules pick the same generator calls: the
 * converter's tree nodes serialize themselves with exactly one generator call each (an int node with
 * {@code writeNumber(int)}, a float node with {@code writeNumber(float)}, which quotes NaN and the
 * infinities, a binary node with {@code writeBinary} in the default base64 variant, ...), and the
 * generator comes from a factory with Jackson's defaults, as the converter's ObjectMapper has them.
 * The rules followed are the converter's: a schema named like one of Connect's logical types is
 * written as that type whatever its physical type; a null is {@code null} if the schema is optional
 * (its default is never used) and an error otherwise; a struct writes its fields in schema order and
 * must have that schema; a map whose key schema is a string is an object, any other map an array of
 * {@code [key, value]} pairs; a ByteBuffer is written as its whole backing array.
 *
 * <p>A value the converter would reject is rejected here with a {@link DataException} naming the
 * field (the caller then lets the converter have the last word). So is the one shape left to the
 * converter: a string-keyed map with a null or non-String key, whose text the converter gets from a
 * tree node and which may collide with another key.
 *
 * <p>Not thread-safe, like its only user {@link EnvelopeEncoder}.
 */
final class PayloadWriter {

    /** Jackson's defaults, as the converter's {@code new ObjectMapper()} has them. */
    private static final JsonFactory FACTORY = new JsonFactory();
    /** A buffer grown past this by one large event is not kept for the next events. */
    private static final int KEEP_AT_MOST = 1 << 20;
    /** Field names are cached per struct schema; Debezium may build equal schemas anew, so the cache is bounded. */
    private static final int NAMED_SCHEMAS_AT_MOST = 1024;

    private final Out out = new Out();
    /** Reused from event to event; dropped after a failure, which may leave it inside an object. */
    private JsonGenerator generator;
    private final Map<Schema, SerializableString[]> namesBySchema = new IdentityHashMap<>();

    /**
     * {@code head}, the value's JSON and {@code tail} in one new array.
     *
     * @throws DataException for a value JsonConverter does not write, or one this class leaves to it
     */
    byte[] write(byte[] head, Schema schema, Object value, byte[] tail) {
        JsonGenerator g = generator();
        try {
            value(g, schema, value);
            g.flush();
        } catch (IOException e) {
            discard();
            throw new DataException("JSON generation failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            discard();
            throw e;
        }
        // The head (the schema, most of an event's bytes) is copied once, straight into the result.
        int size = out.size;
        byte[] bytes = Arrays.copyOf(head, head.length + size + tail.length);
        System.arraycopy(out.bytes, 0, bytes, head.length, size);
        System.arraycopy(tail, 0, bytes, head.length + size, tail.length);
        out.reset();
        return bytes;
    }

    private JsonGenerator generator() {
        if (generator == null) {
            try {
                generator = FACTORY.createGenerator(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // One generator writes one root value per event; Jackson would separate them with a space.
            generator.setRootValueSeparator(null);
        }
        return generator;
    }

    private void discard() {
        generator = null;
        out.reset();
    }

    private void value(JsonGenerator g, Schema schema, Object value) throws IOException {
        if (value == null) {
            if (schema == null || !schema.isOptional()) {
                throw new BadValue("null value for a required field");
            }
            g.writeNull();
            return;
        }
        if (schema == null) {
            // Only a schemaless value has no schema; the caller gives those to the converter.
            throw new BadValue("no schema for a value of " + value.getClass());
        }
        String name = schema.name();
        if (name != null && logical(g, schema, name, value)) {
            return;
        }
        switch (schema.type()) {
            case INT8 -> g.writeNumber(as(Byte.class, value, schema));
            case INT16 -> g.writeNumber(as(Short.class, value, schema));
            case INT32 -> g.writeNumber(as(Integer.class, value, schema));
            case INT64 -> g.writeNumber(as(Long.class, value, schema));
            case FLOAT32 -> g.writeNumber(as(Float.class, value, schema));
            case FLOAT64 -> g.writeNumber(as(Double.class, value, schema));
            case BOOLEAN -> g.writeBoolean(as(Boolean.class, value, schema));
            case STRING -> g.writeString(as(CharSequence.class, value, schema).toString());
            case BYTES -> g.writeBinary(bytes(value));
            case ARRAY -> array(g, schema, as(Collection.class, value, schema));
            case MAP -> map(g, schema, as(Map.class, value, schema));
            case STRUCT -> struct(g, schema, as(Struct.class, value, schema));
            default -> throw new BadValue("no JSON for schema type " + schema.type());
        }
    }

    /**
     * Writes a value of one of Connect's logical types; false if {@code name} names none. An if chain
     * and not a switch: nearly every name differs in length from all four, which equals sees at once.
     */
    private static boolean logical(JsonGenerator g, Schema schema, String name, Object value) throws IOException {
        if (name.equals(Decimal.LOGICAL_NAME)) {
            if (!(value instanceof BigDecimal decimal)) {
                throw new BadValue("Invalid type for Decimal, expected BigDecimal but was " + value.getClass());
            }
            g.writeBinary(Decimal.fromLogical(schema, decimal));
        } else if (name.equals(Timestamp.LOGICAL_NAME)) {
            g.writeNumber(Timestamp.fromLogical(schema, date("Timestamp", value)));
        } else if (name.equals(Date.LOGICAL_NAME)) {
            g.writeNumber(Date.fromLogical(schema, date("Date", value)));
        } else if (name.equals(Time.LOGICAL_NAME)) {
            g.writeNumber(Time.fromLogical(schema, date("Time", value)));
        } else {
            return false;
        }
        return true;
    }

    private static boolean isLogical(String name) {
        return name.equals(Decimal.LOGICAL_NAME) || name.equals(Timestamp.LOGICAL_NAME) || name.equals(Date.LOGICAL_NAME)
                || name.equals(Time.LOGICAL_NAME);
    }

    private static java.util.Date date(String type, Object value) {
        if (value instanceof java.util.Date d) {
            return d;
        }
        throw new BadValue("Invalid type for " + type + ", expected Date but was " + value.getClass());
    }

    private static <T> T as(Class<T> type, Object value, Schema schema) {
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        throw new BadValue("Invalid type for " + schema.type() + ": " + value.getClass());
    }

    private static byte[] bytes(Object value) {
        if (value instanceof byte[] b) {
            return b;
        }
        if (value instanceof ByteBuffer b) {
            // The converter writes the whole backing array, whatever the buffer's position and limit.
            return b.array();
        }
        throw new BadValue("Invalid type for bytes type: " + value.getClass());
    }

    private void array(JsonGenerator g, Schema schema, Collection<?> values) throws IOException {
        Schema elements = schema.valueSchema();
        g.writeStartArray();
        int i = 0;
        for (Object element : values) {
            try {
                value(g, elements, element);
            } catch (DataException e) {
                throw BadValue.at("[" + i + "]", e);
            }
            i++;
        }
        g.writeEndArray();
    }

    private void map(JsonGenerator g, Schema schema, Map<?, ?> map) throws IOException {
        Schema keys = schema.keySchema();
        Schema values = schema.valueSchema();
        if (keys.type() == Schema.Type.STRING) {
            if (keys.name() != null && isLogical(keys.name())) {
                throw new BadValue("map keys of logical type " + keys.name() + " are left to the converter");
            }
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new BadValue("map key " + e.getKey() + " is not a String: left to the converter");
                }
                g.writeFieldName(key);
                try {
                    value(g, values, e.getValue());
                } catch (DataException x) {
                    throw BadValue.at("[" + key + "]", x);
                }
            }
            g.writeEndObject();
            return;
        }
        g.writeStartArray();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            g.writeStartArray();
            try {
                value(g, keys, e.getKey());
                value(g, values, e.getValue());
            } catch (DataException x) {
                throw BadValue.at("[" + e.getKey() + "]", x);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    private void struct(JsonGenerator g, Schema schema, Struct struct) throws IOException {
        if (struct.schema() != schema && !struct.schema().equals(schema)) {
            throw new BadValue("Mismatching schema: the struct's schema is not the field's");
        }
        List<Field> fields = schema.fields();
        SerializableString[] names = namesOf(schema, fields);
        g.writeStartObject();
        for (int i = 0; i < fields.size(); i++) {
            Field field = fields.get(i);
            Schema fieldSchema = field.schema();
            // The value as put, never the default (replace.null.with.default=false). get(Field) is
            // that by index where there is no default; getWithoutDefault looks the name up.
            Object v = fieldSchema.defaultValue() == null ? struct.get(field) : struct.getWithoutDefault(field.name());
            if (names[i] != null) {
                g.writeFieldName(names[i]);
            } else {
                g.writeFieldName(field.name());
            }
            try {
                value(g, fieldSchema, v);
            } catch (DataException e) {
                throw BadValue.at(field.name(), e);
            }
        }
        g.writeEndObject();
    }

    /**
     * The struct's field names ready to copy, or null for a name the generator must escape: its
     * escaping of a name (e.g. of surrogate pairs) is not guaranteed to be SerializedString's.
     */
    private SerializableString[] namesOf(Schema schema, List<Field> fields) {
        SerializableString[] names = namesBySchema.get(schema);
        if (names == null) {
            if (namesBySchema.size() >= NAMED_SCHEMAS_AT_MOST) {
                namesBySchema.clear();
            }
            names = new SerializableString[fields.size()];
            for (int i = 0; i < names.length; i++) {
                String name = fields.get(i).name();
                names[i] = name.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
                        ? new SerializedString(name) : null;
            }
            namesBySchema.put(schema, names);
        }
        return names;
    }

    /** A value the converter would not write (or that is left to it), with the path of fields to it. */
    private static final class BadValue extends DataException {

        private final String reason;
        private String path = "";

        BadValue(String reason) {
            super(reason);
            this.reason = reason;
        }

        private BadValue(String reason, Throwable cause) {
            super(reason, cause);
            this.reason = reason;
        }

        /** {@code e} with {@code step} put in front of its path. */
        static BadValue at(String step, DataException e) {
            BadValue bad = e instanceof BadValue b ? b : new BadValue(e.getMessage(), e);
            bad.path = bad.path.isEmpty() || bad.path.startsWith("[") ? step + bad.path : step + "." + bad.path;
            return bad;
        }

        @Override
        public String getMessage() {
            return path.isEmpty() ? reason : "field " + path + ": " + reason;
        }
    }

    /** The reused output: an unsynchronized ByteArrayOutputStream whose array can be read in place. */
    private static final class Out extends OutputStream {

        private byte[] bytes = new byte[8192];
        private int size;

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        void reset() {
            size = 0;
            if (bytes.length > KEEP_AT_MOST) {
                bytes = new byte[8192];
            }
        }
    }
}
