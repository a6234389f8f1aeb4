package dev.replog.schemas.compact;

import dev.replog.schemas.EventFormatException;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Connect value in the compact binary encoding of its schema, and back (schemas/README.md, "Compact
 * format"): the schema says everything, so the bytes hold only values: an optional value is a
 * presence byte (0 null, 1 value) and the value; int8 and boolean one byte; int16, int32 and int64
 * zigzag varints; float32 and float64 their IEEE 754 bits, big-endian; string and bytes a varint
 * length and the bytes (UTF-8); array a varint count and the elements; map a varint count and
 * key, value pairs; struct its fields in schema order. Connect's logical types travel as Connect's
 * own physical forms (Decimal the unscaled two's-complement bytes, Date int32 days, Time int32
 * milliseconds, Timestamp int64 milliseconds); Debezium's and Replog's (PgText) are plain named
 * schemas and need nothing. As with JsonConverter ({@code replace.null.with.default=false}), a null
 * stays null, never the field's default, and a null for a required schema is refused.
 */
final class ConnectValues {

    private ConnectValues() {
    }

    static void write(BinaryOut out, Schema schema, Object value) {
        if (value == null) {
            if (!schema.isOptional()) {
                throw new DataException("null value for a required " + schema.type() + " schema");
            }
            out.writeByte(0);
            return;
        }
        if (schema.isOptional()) {
            out.writeByte(1);
        }
        String name = schema.name();
        if (name != null) {
            switch (name) {
                case Decimal.LOGICAL_NAME -> {
                    byte[] unscaled = Decimal.fromLogical(schema, as(BigDecimal.class, value, schema));
                    out.writeBytes(unscaled, 0, unscaled.length);
                    return;
                }
                case Date.LOGICAL_NAME -> {
                    out.writeSigned(Date.fromLogical(schema, as(java.util.Date.class, value, schema)));
                    return;
                }
                case Time.LOGICAL_NAME -> {
                    out.writeSigned(Time.fromLogical(schema, as(java.util.Date.class, value, schema)));
                    return;
                }
                case Timestamp.LOGICAL_NAME -> {
                    out.writeSigned(Timestamp.fromLogical(schema, as(java.util.Date.class, value, schema)));
                    return;
                }
                default -> {
                }
            }
        }
        switch (schema.type()) {
            case INT8 -> out.writeByte(as(Byte.class, value, schema));
            case INT16 -> out.writeSigned(as(Short.class, value, schema));
            case INT32 -> out.writeSigned(as(Integer.class, value, schema));
            case INT64 -> out.writeSigned(as(Long.class, value, schema));
            case FLOAT32 -> out.writeFixed32(Float.floatToRawIntBits(as(Float.class, value, schema)));
            case FLOAT64 -> out.writeFixed64(Double.doubleToRawLongBits(as(Double.class, value, schema)));
            case BOOLEAN -> out.writeByte(as(Boolean.class, value, schema) ? 1 : 0);
            case STRING -> out.writeString(as(CharSequence.class, value, schema).toString());
            case BYTES -> {
                if (value instanceof ByteBuffer b) {
                    ByteBuffer view = b.duplicate();
                    byte[] copy = new byte[view.remaining()];
                    view.get(copy);
                    out.writeBytes(copy, 0, copy.length);
                } else {
                    byte[] b = as(byte[].class, value, schema);
                    out.writeBytes(b, 0, b.length);
                }
            }
            case ARRAY -> {
                Collection<?> elements = as(Collection.class, value, schema);
                out.writeUnsigned(elements.size());
                for (Object e : elements) {
                    write(out, schema.valueSchema(), e);
                }
            }
            case MAP -> {
                Map<?, ?> map = as(Map.class, value, schema);
                out.writeUnsigned(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    write(out, schema.keySchema(), e.getKey());
                    write(out, schema.valueSchema(), e.getValue());
                }
            }
            case STRUCT -> {
                Struct struct = as(Struct.class, value, schema);
                if (struct.schema() != schema && !struct.schema().equals(schema)) {
                    throw new DataException("struct's schema is not the field's schema " + schema.name());
                }
                for (Field f : schema.fields()) {
                    try {
                        write(out, f.schema(), struct.getWithoutDefault(f.name()));
                    } catch (DataException e) {
                        throw new DataException("field " + f.name() + ": " + e.getMessage(), e);
                    }
                }
            }
            default -> throw new DataException("no compact encoding for schema type " + schema.type());
        }
    }

    static Object read(BinaryIn in, Schema schema) {
        if (schema.isOptional() && !in.readPresence()) {
            return null;
        }
        String name = schema.name();
        if (name != null) {
            switch (name) {
                case Decimal.LOGICAL_NAME -> {
                    return Decimal.toLogical(schema, in.readBytes());
                }
                case Date.LOGICAL_NAME -> {
                    return Date.toLogical(schema, (int) ranged(in.readSigned(), Integer.MIN_VALUE, Integer.MAX_VALUE, schema));
                }
                case Time.LOGICAL_NAME -> {
                    return Time.toLogical(schema, (int) ranged(in.readSigned(), Integer.MIN_VALUE, Integer.MAX_VALUE, schema));
                }
                case Timestamp.LOGICAL_NAME -> {
                    return Timestamp.toLogical(schema, in.readSigned());
                }
                default -> {
                }
            }
        }
        return switch (schema.type()) {
            case INT8 -> (byte) in.readByte();
            case INT16 -> (short) ranged(in.readSigned(), Short.MIN_VALUE, Short.MAX_VALUE, schema);
            case INT32 -> (int) ranged(in.readSigned(), Integer.MIN_VALUE, Integer.MAX_VALUE, schema);
            case INT64 -> in.readSigned();
            case FLOAT32 -> Float.intBitsToFloat(in.readFixed32());
            case FLOAT64 -> Double.longBitsToDouble(in.readFixed64());
            case BOOLEAN -> in.readByte() != 0;
            case STRING -> in.readString();
            case BYTES -> in.readBytes();
            case ARRAY -> {
                int n = in.readCount();
                List<Object> list = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    list.add(read(in, schema.valueSchema()));
                }
                yield list;
            }
            case MAP -> {
                int n = in.readCount();
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    Object key = read(in, schema.keySchema());
                    map.put(key, read(in, schema.valueSchema()));
                }
                yield map;
            }
            case STRUCT -> {
                Struct struct = new Struct(schema);
                for (Field f : schema.fields()) {
                    struct.put(f, read(in, f.schema()));
                }
                yield struct;
            }
        };
    }

    private static long ranged(long v, long min, long max, Schema schema) {
        if (v < min || v > max) {
            throw new EventFormatException("compact record: " + v + " is out of range for " + schema.type());
        }
        return v;
    }

    private static <T> T as(Class<T> type, Object value, Schema schema) {
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        throw new DataException("invalid type for " + (schema.name() != null ? schema.name() : schema.type()) + ": " + value.getClass().getName());
    }
}
