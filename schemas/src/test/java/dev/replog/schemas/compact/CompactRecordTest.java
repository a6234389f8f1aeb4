package dev.replog.schemas.compact;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Connect type Debezium's PostgreSQL connector and capture's PgTextConverter emit (the list of
 * capture's PayloadWriterTest; Debezium's logical types built here by their names, as schemas has no
 * Debezium) goes through the compact format and comes back as the same schema and the same data: the
 * yardstick is JsonConverter's JSON of the data, written from the original and from what came back.
 */
class CompactRecordTest {

    private final InMemorySchemas store = new InMemorySchemas();
    private final ReplogCompactConverter writer = converter(store);
    /** Another converter, which knows the schemas only through the store. */
    private final ReplogCompactConverter reader = converter(store);
    private final JsonConverter json = json();
    private int compared;

    private static ReplogCompactConverter converter(SchemaLookup lookup) {
        ReplogCompactConverter c = new ReplogCompactConverter(lookup);
        c.configure(Map.of(), false);
        return c;
    }

    private static JsonConverter json() {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), false);
        return c;
    }

    /** Written by one converter, read by another that knows only the store: the same schema and data, or both formats refuse it. */
    private void same(Schema schema, Object value) {
        byte[] expected;
        try {
            expected = json.fromConnectData("t", schema, value);
        } catch (DataException refused) {
            assertThrows(DataException.class, () -> writer.fromConnectData("t", schema, value),
                    () -> "JsonConverter refuses " + value + " (" + refused.getMessage() + ")");
            return;
        }
        byte[] compact = writer.fromConnectData("t", schema, value);
        SchemaAndValue back = reader.toConnectData("t", compact);
        assertEquals(schema, back.schema());
        byte[] actual = json.fromConnectData("t", back.schema(), back.value());
        assertArrayEquals(expected, actual, () -> "expected " + new String(expected, StandardCharsets.UTF_8)
                + "\nactual   " + new String(actual, StandardCharsets.UTF_8));
        compared++;
    }

    private void sameForEach(Schema required, Schema optional, Object... values) {
        for (Object v : values) {
            same(required, v);
            same(optional, v);
        }
        same(optional, null);
    }

    private static SchemaBuilder named(SchemaBuilder b, String name) {
        return b.name(name).version(1);
    }

    @Test
    void primitivesAndTheirExtremes() {
        sameForEach(Schema.INT8_SCHEMA, Schema.OPTIONAL_INT8_SCHEMA, (byte) 0, (byte) -1, Byte.MIN_VALUE, Byte.MAX_VALUE);
        sameForEach(Schema.INT16_SCHEMA, Schema.OPTIONAL_INT16_SCHEMA, (short) 0, (short) 300, Short.MIN_VALUE, Short.MAX_VALUE);
        sameForEach(Schema.INT32_SCHEMA, Schema.OPTIONAL_INT32_SCHEMA, 0, -42, 63, 64, -64, -65, Integer.MIN_VALUE, Integer.MAX_VALUE);
        sameForEach(Schema.INT64_SCHEMA, Schema.OPTIONAL_INT64_SCHEMA, 0L, 1L << 40, Long.MIN_VALUE, Long.MAX_VALUE);
        sameForEach(Schema.BOOLEAN_SCHEMA, Schema.OPTIONAL_BOOLEAN_SCHEMA, true, false);
        sameForEach(Schema.FLOAT32_SCHEMA, Schema.OPTIONAL_FLOAT32_SCHEMA, 0f, -0f, 0.1f, Float.NaN, Float.NEGATIVE_INFINITY,
                Float.MIN_VALUE, Float.MAX_VALUE, 16777217f);
        sameForEach(Schema.FLOAT64_SCHEMA, Schema.OPTIONAL_FLOAT64_SCHEMA, 0d, -0d, 0.1 + 0.2, Double.NaN,
                Double.POSITIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, 9007199254740993d);
        sameForEach(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA, "", "plain", "\"q\" \\ \u0000\u001f\u007f",
                "é ü ß Ω 中文 \u2028", "emoji 😀 and 𝄞", "\uFFFF\uFEFF", "a".repeat(70_000), new StringBuilder("a char sequence"));
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        sameForEach(Schema.BYTES_SCHEMA, Schema.OPTIONAL_BYTES_SCHEMA, new byte[0], new byte[]{-1, 0, 1}, all, ByteBuffer.wrap(all));
    }

    @Test
    void connectLogicalTypes() {
        for (int scale : new int[]{0, 2, 18, -3}) {
            Schema decimal = Decimal.builder(scale).optional().parameter("connect.decimal.precision", "38").build();
            for (String v : new String[]{"0", "-1", "123.45", "-99999999999999999999999999.5", "127", "128", "-128"}) {
                same(decimal, new BigDecimal(v).setScale(scale, java.math.RoundingMode.HALF_UP));
            }
            same(decimal, null);
        }
        for (long day : new long[]{0, -1, 19_000, -719_528, 2_932_896}) {
            same(Date.SCHEMA, new java.util.Date(day * 86_400_000L));
        }
        for (long millis : new long[]{0, 1, 86_399_999}) {
            same(Time.SCHEMA, new java.util.Date(millis));
        }
        for (long millis : new long[]{0, -1, 1_700_000_000_123L, Long.MIN_VALUE, Long.MAX_VALUE}) {
            same(Timestamp.SCHEMA, new java.util.Date(millis));
        }
        same(Timestamp.builder().optional().build(), null);
    }

    @Test
    void debeziumTypesPgTextAndColumnParameters() {
        same(named(SchemaBuilder.int32(), "io.debezium.time.Date").build(), 19_000);
        same(named(SchemaBuilder.int64(), "io.debezium.time.MicroTime").build(), 86_399_999_999L);
        same(named(SchemaBuilder.int64(), "io.debezium.time.MicroTimestamp").optional().build(), -62_135_596_800_000_000L);
        same(named(SchemaBuilder.int64(), "io.debezium.time.NanoTimestamp").build(), 1_700_000_000_123_456_789L);
        same(named(SchemaBuilder.string(), "io.debezium.time.ZonedTimestamp").build(), "2026-11-22T06:48:28.123456Z");
        same(named(SchemaBuilder.string(), "io.debezium.time.ZonedTime").build(), "06:48:28.123456+05:30");
        same(named(SchemaBuilder.float64(), "io.debezium.time.MicroDuration").build(), 3.5e12);
        same(named(SchemaBuilder.string(), "io.debezium.time.Interval").build(), "P1Y2M3DT4H5M6.78S");
        same(named(SchemaBuilder.string(), "io.debezium.data.Json").build(), "{\"a\": [1, \"x\\\"\"]}");
        same(named(SchemaBuilder.string(), "io.debezium.data.Uuid").build(), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        same(named(SchemaBuilder.string(), "io.debezium.data.Xml").build(), "<a b=\"c\">&amp;</a>");
        same(named(SchemaBuilder.string(), "io.debezium.data.Enum").parameter("allowed", "a,b").build(), "b");
        same(named(SchemaBuilder.string(), "io.debezium.data.EnumSet").parameter("allowed", "a,b").build(), "a,b");
        same(named(SchemaBuilder.bytes(), "io.debezium.data.Bits").parameter("length", "12").build(), new byte[]{(byte) 0xBC, 0x0A});
        Schema pgText = SchemaBuilder.string().name("dev.replog.PgText").optional()
                .parameter("__debezium.source.column.type", "_INT4").parameter("__debezium.source.column.length", "10")
                .parameter("__debezium.source.column.scale", "0").parameter("__debezium.source.column.name", "grid").build();
        same(pgText, "[0:1]={{1,2},{NULL,\"x\\\"\"}}");
        same(pgText, "-infinity");
        Schema vsd = named(SchemaBuilder.struct(), "io.debezium.data.VariableScaleDecimal").optional()
                .field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).build();
        same(vsd, new Struct(vsd).put("scale", 3).put("value", new BigInteger("-123456789012345678901234567890").toByteArray()));
        Schema point = named(SchemaBuilder.struct(), "io.debezium.data.geometry.Point").optional()
                .field("x", Schema.FLOAT64_SCHEMA).field("y", Schema.FLOAT64_SCHEMA)
                .field("wkb", Schema.OPTIONAL_BYTES_SCHEMA).field("srid", Schema.OPTIONAL_INT32_SCHEMA).build();
        same(point, new Struct(point).put("x", 1.5).put("y", Double.NaN).put("wkb", new byte[]{1, 2}));
        same(named(SchemaBuilder.array(Schema.FLOAT64_SCHEMA), "io.debezium.data.DoubleVector").build(), List.of(1.0, -0.0, 1e-9));
        same(named(SchemaBuilder.array(Schema.FLOAT32_SCHEMA), "io.debezium.data.FloatVector").build(), List.of(1.0f, 2.5f));
        Schema sparse = named(SchemaBuilder.struct(), "io.debezium.data.SparseVector")
                .field("dimensions", Schema.INT16_SCHEMA).field("vector", SchemaBuilder.map(Schema.INT16_SCHEMA, Schema.FLOAT64_SCHEMA).build()).build();
        Map<Short, Double> vector = new LinkedHashMap<>();
        vector.put((short) 3, 0.5);
        vector.put((short) 1, -2.0);
        same(sparse, new Struct(sparse).put("dimensions", (short) 5).put("vector", vector));
        Map<String, String> hstore = new LinkedHashMap<>();
        hstore.put("k\"1", "v");
        hstore.put("ключ", null);
        same(SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).optional().build(), hstore);
        // A field's default is part of its schema; an explicit null stays null.
        Schema withDefaults = SchemaBuilder.struct().field("snapshot", named(SchemaBuilder.string(), "io.debezium.data.Enum")
                .optional().defaultValue("false").parameter("allowed", "true,false").build())
                .field("n", SchemaBuilder.int32().optional().defaultValue(42).build()).build();
        same(withDefaults, new Struct(withDefaults).put("snapshot", null).put("n", null));
        same(withDefaults, new Struct(withDefaults).put("snapshot", "true").put("n", 0));
    }

    @Test
    void randomValuesOfRandomSchemas() {
        Random random = new Random(20261206);
        for (int i = 0; i < 300; i++) {
            Schema schema = randomSchema(random, 0);
            for (int j = 0; j < 10; j++) {
                same(schema, randomValue(random, schema));
            }
        }
        assertTrue(compared > 2000, "compared " + compared);
    }

    @Test
    void refusesWhatItCannotCarryNamingTheField() {
        Schema s = SchemaBuilder.struct().field("req", Schema.INT32_SCHEMA).field("text", Schema.OPTIONAL_STRING_SCHEMA).build();
        DataException e = assertThrows(DataException.class, () -> writer.fromConnectData("p.public.t", s, new Struct(s)));
        assertTrue(e.getMessage().contains("p.public.t") && e.getMessage().contains("field req"), e.getMessage());
        // A lone surrogate has no UTF-8 form (and no PostgreSQL text holds one): refused, never changed.
        e = assertThrows(DataException.class, () -> writer.fromConnectData("t", s, new Struct(s).put("req", 1).put("text", "x\uD83Dy")));
        assertTrue(e.getMessage().contains("field text") && e.getMessage().contains("surrogate"), e.getMessage());
        assertThrows(DataException.class, () -> writer.fromConnectData("t", Schema.INT32_SCHEMA, "1"));
        same(s, new Struct(s).put("req", 1).put("text", "fine after a refusal"));
    }

    @Test
    void aRecordCutShortOrOfAnUnknownSchemaIsAnErrorNamingIt() {
        Schema s = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).field("name", Schema.STRING_SCHEMA).build();
        byte[] record = writer.fromConnectData("t", s, new Struct(s).put("id", 1L).put("name", "abc"));
        DataException cut = assertThrows(DataException.class, () -> writer.toConnectData("t", Arrays.copyOf(record, record.length - 1)));
        assertTrue(cut.getMessage().contains("cut short"), cut.getMessage());
        byte[] longer = Arrays.copyOf(record, record.length + 1);
        assertTrue(assertThrows(DataException.class, () -> writer.toConnectData("t", longer)).getMessage().contains("bytes left"));
        SchemaId id = CompactWire.schemaId(record, "value");
        DataException unknown = assertThrows(DataException.class, () -> converter(new InMemorySchemas()).toConnectData("t", record));
        assertTrue(unknown.getMessage().contains("unknown schema id " + id.hex()), unknown.getMessage());
    }

    private static Schema randomSchema(Random random, int depth) {
        SchemaBuilder b = switch (random.nextInt(depth >= 3 ? 13 : 17)) {
            case 0 -> SchemaBuilder.int8();
            case 1 -> SchemaBuilder.int16();
            case 2 -> random.nextBoolean() ? SchemaBuilder.int32() : SchemaBuilder.int32().defaultValue(random.nextInt());
            case 3 -> random.nextBoolean() ? SchemaBuilder.int64() : named(SchemaBuilder.int64(), "io.debezium.time.MicroTimestamp");
            case 4 -> SchemaBuilder.float32();
            case 5 -> SchemaBuilder.float64();
            case 6 -> SchemaBuilder.bool();
            case 7 -> random.nextBoolean() ? SchemaBuilder.string() : SchemaBuilder.string().name("dev.replog.PgText");
            case 8 -> SchemaBuilder.bytes();
            case 9 -> Decimal.builder(random.nextInt(-2, 20));
            case 10 -> Date.builder();
            case 11 -> Time.builder();
            case 12 -> Timestamp.builder();
            case 13 -> SchemaBuilder.array(randomSchema(random, depth + 1));
            case 14 -> SchemaBuilder.map(random.nextBoolean() ? Schema.STRING_SCHEMA : randomSchema(random, depth + 1),
                    randomSchema(random, depth + 1));
            default -> {
                SchemaBuilder struct = SchemaBuilder.struct().name("s" + random.nextInt(1000));
                for (int i = random.nextInt(1, 7); i > 0; i--) {
                    struct.field((random.nextBoolean() ? "ü" : "f") + i, randomSchema(random, depth + 1));
                }
                yield struct;
            }
        };
        return (random.nextInt(3) > 0 ? b.optional() : b).build();
    }

    private static Object randomValue(Random random, Schema s) {
        if (s.isOptional() && random.nextInt(6) == 0) {
            return null;
        }
        if (s.name() != null) {
            switch (s.name()) {
                case Decimal.LOGICAL_NAME -> {
                    int scale = Integer.parseInt(s.parameters().get(Decimal.SCALE_FIELD));
                    BigInteger unscaled = new BigInteger(random.nextInt(1, 160), random);
                    return new BigDecimal(random.nextBoolean() ? unscaled : unscaled.negate(), scale);
                }
                case Date.LOGICAL_NAME -> {
                    return new java.util.Date(random.nextLong(-800_000, 3_000_000) * 86_400_000L);
                }
                case Time.LOGICAL_NAME -> {
                    return new java.util.Date(random.nextInt(86_400_000));
                }
                case Timestamp.LOGICAL_NAME -> {
                    return new java.util.Date(random.nextLong());
                }
                default -> {
                }
            }
        }
        return switch (s.type()) {
            case INT8 -> (byte) random.nextInt();
            case INT16 -> (short) random.nextInt();
            case INT32 -> random.nextBoolean() ? random.nextInt() : random.nextInt(-100, 100);
            case INT64 -> random.nextBoolean() ? random.nextLong() : random.nextLong(-100_000, 100_000);
            case FLOAT32 -> Float.intBitsToFloat(random.nextInt());
            case FLOAT64 -> Double.longBitsToDouble(random.nextLong());
            case BOOLEAN -> random.nextBoolean();
            case STRING -> {
                StringBuilder sb = new StringBuilder();
                for (int i = random.nextInt(24); i > 0; i--) {
                    switch (random.nextInt(5)) {
                        case 0 -> sb.append((char) random.nextInt(0x20));
                        case 1 -> sb.append((char) random.nextInt(0x80, 0x800));
                        case 2 -> sb.append((char) random.nextInt(0xE000, 0x10000));
                        case 3 -> sb.appendCodePoint(random.nextInt(0x10000, 0x110000));
                        default -> sb.append((char) random.nextInt(0x20, 0x7f));
                    }
                }
                yield sb.toString();
            }
            case BYTES -> {
                byte[] b = new byte[random.nextInt(40)];
                random.nextBytes(b);
                yield b;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    list.add(randomValue(random, s.valueSchema()));
                }
                yield list;
            }
            case MAP -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    Object key = randomValue(random, s.keySchema());
                    if (key != null || s.keySchema().type() != Schema.Type.STRING) {
                        map.put(key, randomValue(random, s.valueSchema()));
                    }
                }
                yield map;
            }
            case STRUCT -> {
                Struct struct = new Struct(s);
                for (Field f : s.fields()) {
                    struct.put(f, randomValue(random, f.schema()));
                }
                yield struct;
            }
        };
    }
}
