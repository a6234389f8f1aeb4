package dev.replog.capture;

import io.debezium.data.Bits;
import io.debezium.data.Envelope;
import io.debezium.data.Json;
import io.debezium.data.Uuid;
import io.debezium.data.VariableScaleDecimal;
import io.debezium.data.Xml;
import io.debezium.schema.SchemaFactory;
import io.debezium.time.MicroDuration;
import io.debezium.time.MicroTime;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.NanoTimestamp;
import io.debezium.time.ZonedTime;
import io.debezium.time.ZonedTimestamp;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PayloadWriter's bytes are JsonConverter's (schemas disabled, as EnvelopeEncoder configures it) for
 * every type Debezium's PostgreSQL connector and PgTextConverter emit, and it rejects what the
 * converter rejects. Each case is checked against the converter itself, not against expected text.
 */
class PayloadWriterTest {

    private static final byte[] NONE = new byte[0];
    private static final JsonConverter CONVERTER = converter(false);

    private final PayloadWriter writer = new PayloadWriter();
    private int compared;

    private static JsonConverter converter(boolean schemas) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", Boolean.toString(schemas), "replace.null.with.default", "false"), false);
        return c;
    }

    /** The writer's bytes equal the converter's, or both refuse the value. */
    private void same(Schema schema, Object value) {
        byte[] expected;
        try {
            expected = CONVERTER.fromConnectData("t", schema, value);
        } catch (DataException refused) {
            assertThrows(DataException.class, () -> writer.write(NONE, schema, value, NONE),
                    () -> "the converter refuses " + value + " (" + refused.getMessage() + ")");
            return;
        }
        byte[] actual = writer.write(NONE, schema, value, NONE);
        assertArrayEquals(expected, actual, () -> "converter: " + new String(expected, StandardCharsets.UTF_8)
                + "\nwriter:    " + new String(actual, StandardCharsets.UTF_8));
        compared++;
    }

    private void sameForEach(Schema required, Schema optional, Object... values) {
        for (Object v : values) {
            same(required, v);
            same(optional, v);
        }
        same(optional, null);
        same(required, null);
    }

    @Test
    void integersBooleansAndTheirExtremes() {
        sameForEach(Schema.INT8_SCHEMA, Schema.OPTIONAL_INT8_SCHEMA, (byte) 0, (byte) -1, Byte.MIN_VALUE, Byte.MAX_VALUE);
        sameForEach(Schema.INT16_SCHEMA, Schema.OPTIONAL_INT16_SCHEMA, (short) 0, (short) 300, Short.MIN_VALUE, Short.MAX_VALUE);
        sameForEach(Schema.INT32_SCHEMA, Schema.OPTIONAL_INT32_SCHEMA, 0, -42, Integer.MIN_VALUE, Integer.MAX_VALUE);
        sameForEach(Schema.INT64_SCHEMA, Schema.OPTIONAL_INT64_SCHEMA, 0L, 1L << 40, Long.MIN_VALUE, Long.MAX_VALUE);
        sameForEach(Schema.BOOLEAN_SCHEMA, Schema.OPTIONAL_BOOLEAN_SCHEMA, true, false);
    }

    @Test
    void floatsAsJacksonWritesThemIncludingNaNAndInfinities() {
        sameForEach(Schema.FLOAT32_SCHEMA, Schema.OPTIONAL_FLOAT32_SCHEMA, 0f, -0f, 0.1f, 1f / 3, Float.NaN,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
                -Float.MAX_VALUE, 1e-10f, 1e10f, 123456.78f, 16777217f, 1e7f, 1e-3f, 9.999999e-4f);
        sameForEach(Schema.FLOAT64_SCHEMA, Schema.OPTIONAL_FLOAT64_SCHEMA, 0d, -0d, 0.1, 0.1 + 0.2, 1d / 3, Double.NaN,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
                -Double.MAX_VALUE, 1e300, 1e-300, 4.35, 2.0E-3, 1e7, 1e-3, 9007199254740993d, 123456789012345678d);
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            same(Schema.FLOAT32_SCHEMA, Float.intBitsToFloat(random.nextInt()));
            same(Schema.FLOAT64_SCHEMA, Double.longBitsToDouble(random.nextLong()));
        }
    }

    @Test
    void stringsWithQuotesBackslashesControlCharactersAndUnicode() {
        sameForEach(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA, "", "plain", "\"quoted\"", "back\\slash",
                "tab\there\nnew\rline\b\f", "\u0000\u0001\u001f\u007f", "</script>&<>'", "é ü ß Ω 中文 \u2028\u2029",
                "emoji 😀 and 𝄞", "\uD83D", "\uDE00 lone low", "x\uD83Dy", "\uFFFF\uFEFF", "a".repeat(20_000),
                new StringBuilder("a char sequence"));
        for (char c = 0; c < 0x800; c++) {
            same(Schema.STRING_SCHEMA, "<" + c + ">");
        }
    }

    @Test
    void bytesAsBase64FromArraysAndWholeByteBuffers() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        sameForEach(Schema.BYTES_SCHEMA, Schema.OPTIONAL_BYTES_SCHEMA, new byte[0], new byte[]{0}, new byte[]{-1, 0, 1},
                all, ByteBuffer.wrap(all), ByteBuffer.wrap(all, 10, 5), ByteBuffer.allocate(3));
        same(Bits.builder(12).optional().build(), new byte[]{(byte) 0xBC, 0x0A});
    }

    @Test
    void connectLogicalTypes() {
        for (int scale : new int[]{0, 2, 5, 18, -3}) {
            Schema decimal = Decimal.builder(scale).optional().parameter("connect.decimal.precision", "38").build();
            for (String v : new String[]{"0", "1", "-1", "123.45", "-123.45", "99999999999999999999999999.5", "1e-30", "127", "128", "-128"}) {
                same(decimal, new BigDecimal(v).setScale(scale, java.math.RoundingMode.HALF_UP));
            }
            same(decimal, null);
        }
        same(Decimal.schema(2), new BigDecimal("1.234"));
        same(Decimal.schema(2), "1.23");
        for (long day : new long[]{0, 1, -1, 19_000, -719_528, 2_932_896}) {
            same(Date.SCHEMA, new java.util.Date(day * 86_400_000L));
        }
        same(Date.SCHEMA, new java.util.Date(1));
        for (long millis : new long[]{0, 1, 86_399_999, 43_200_000}) {
            same(Time.SCHEMA, new java.util.Date(millis));
        }
        same(Time.SCHEMA, new java.util.Date(86_400_000L));
        for (long millis : new long[]{0, -1, 1_700_000_000_123L, Long.MIN_VALUE, Long.MAX_VALUE}) {
            same(Timestamp.SCHEMA, new java.util.Date(millis));
        }
        same(Timestamp.builder().optional().build(), null);
        same(Timestamp.SCHEMA, 1_700_000_000_123L);
    }

    @Test
    void debeziumTypesAndPgText() {
        Schema vsd = VariableScaleDecimal.builder().optional().build();
        for (String v : new String[]{"0", "1.5", "-0.000001", "123456789012345678901234567890.123"}) {
            same(vsd, VariableScaleDecimal.fromLogical(vsd, new BigDecimal(v)));
        }
        same(VariableScaleDecimal.schema(), VariableScaleDecimal.ZERO);
        same(io.debezium.time.Date.builder().build(), 19_000);
        same(MicroTime.builder().build(), 86_399_999_999L);
        same(MicroTimestamp.builder().optional().build(), -62_135_596_800_000_000L);
        same(NanoTimestamp.builder().build(), 1_700_000_000_123_456_789L);
        same(ZonedTimestamp.builder().build(), "2026-11-22T06:48:28.123456Z");
        same(ZonedTime.builder().build(), "06:48:28.123456+05:30");
        same(MicroDuration.builder().build(), 3.5e12);
        same(SchemaBuilder.string().name("io.debezium.time.Interval").build(), "P1Y2M3DT4H5M6.78S");
        same(Json.builder().build(), "{\"a\": [1, \"x\\\"\"]}");
        same(Uuid.builder().build(), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        same(Xml.builder().build(), "<a b=\"c\">&amp;</a>");
        same(SchemaFactory.get().datatypeEnumSchema("a,b").build(), "b");
        same(SchemaFactory.get().datatypeEnumSetSchema("a,b").build(), "a,b");
        same(SchemaBuilder.string().name(PgTextConverter.SCHEMA_NAME).optional().build(), "{{1,2},{NULL,\"x\\\"\"}}");
        same(SchemaBuilder.string().name(PgTextConverter.SCHEMA_NAME).optional().build(), "-infinity");
        Schema point = SchemaBuilder.struct().name("io.debezium.data.geometry.Point").optional()
                .field("x", Schema.FLOAT64_SCHEMA).field("y", Schema.FLOAT64_SCHEMA)
                .field("wkb", Schema.OPTIONAL_BYTES_SCHEMA).field("srid", Schema.OPTIONAL_INT32_SCHEMA).build();
        same(point, new Struct(point).put("x", 1.5).put("y", Double.NaN).put("wkb", new byte[]{1, 2}));
        same(SchemaFactory.get().datatypeDoubleVectorSchema().build(), List.of(1.0, -0.0, 1e-9));
        same(SchemaFactory.get().datatypeFloatVectorSchema().build(), List.of(1.0f, 2.5f));
        Schema sparse = SchemaFactory.get().dataTypeSparseDoubleVectorSchema().build();
        Map<Short, Double> vector = new LinkedHashMap<>();
        vector.put((short) 3, 0.5);
        vector.put((short) 1, -2.0);
        same(sparse, new Struct(sparse).put("dimensions", (short) 5).put("vector", vector));
        Map<String, String> hstore = new LinkedHashMap<>();
        hstore.put("k\"1", "v");
        hstore.put("ключ", null);
        same(SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).optional().build(), hstore);
    }

    @Test
    void debeziumEnvelopesWithSourceAndTransactionBlocks() {
        Schema row = SchemaBuilder.struct().name("p.public.t.Value").optional()
                .field("id", SchemaBuilder.int32().parameter("__debezium.source.column.type", "INT4").build())
                .field("name", Schema.STRING_SCHEMA)
                .field("price", Schema.OPTIONAL_STRING_SCHEMA)
                .field("born", SchemaBuilder.string().name(PgTextConverter.SCHEMA_NAME).optional().build())
                .field("at", ZonedTimestamp.builder().optional().build())
                .field("n", VariableScaleDecimal.builder().optional().build())
                .field("dflt", SchemaBuilder.int32().optional().defaultValue(7).build())
                .field("Ünï \"col\"", Schema.OPTIONAL_INT16_SCHEMA)
                .field("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build())
                .build();
        Schema source = postgresSource();
        Envelope envelope = Envelope.defineSchema().withName("p.public.t.Envelope").withRecord(row).withSource(source)
                .withTransaction(SchemaFactory.get().transactionBlockSchema()).build();
        Struct src = new Struct(source).put("version", "3.6.3.Final").put("connector", "postgresql").put("name", "p")
                .put("ts_ms", 1_700_000_000_000L).put("db", "leader").put("sequence", "[\"24023128\",\"24023184\"]")
                .put("schema", "public").put("table", "t").put("txId", 555L).put("lsn", 24_023_184L);
        Struct before = new Struct(row).put("id", 1).put("name", "old");
        Struct after = new Struct(row).put("id", 1).put("name", "new \"name\"").put("price", "12.50").put("born", "2000-01-01 BC")
                .put("at", "2026-11-22T06:48:28.123456Z").put("n", VariableScaleDecimal.fromLogical(row.field("n").schema(), new BigDecimal("1e-3")))
                .put("Ünï \"col\"", (short) 2).put("tags", Arrays.asList("a", null, "c"));
        Instant now = Instant.ofEpochSecond(1_700_000_000, 123_456_789);
        Struct created = envelope.create(after, src, now);
        same(envelope.schema(), created);
        same(envelope.schema(), envelope.read(after, src.put("snapshot", "last"), now));
        same(envelope.schema(), envelope.update(before, after, src, now));
        same(envelope.schema(), envelope.delete(before, src, now));
        same(envelope.schema(), envelope.truncate(src, now));
        Schema tx = SchemaFactory.get().transactionBlockSchema();
        same(envelope.schema(), created.put("transaction", new Struct(tx).put("id", "555:24023184").put("total_order", 1L)
                .put("data_collection_order", 1L)));
        same(row, after.put("dflt", 3));
        same(row.field("dflt").schema(), null);
    }

    /** The source block of Debezium's PostgreSQL connector (its snapshot field has a default). */
    static Schema postgresSource() {
        return SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
                .field("version", Schema.STRING_SCHEMA).field("connector", Schema.STRING_SCHEMA)
                .field("name", Schema.STRING_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA)
                .field("snapshot", SchemaFactory.get().datatypeEnumSchema("true,first,last,false").optional().defaultValue("false").build())
                .field("db", Schema.STRING_SCHEMA).field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
                .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA).field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
                .field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
                .field("txId", Schema.OPTIONAL_INT64_SCHEMA).field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
                .field("xmin", Schema.OPTIONAL_INT64_SCHEMA).build();
    }

    @Test
    void arraysAndMapsOfEveryShape() {
        same(SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).build(), Arrays.asList(1, null, 3));
        same(SchemaBuilder.array(Schema.INT32_SCHEMA).build(), Arrays.asList(1, null, 3));
        same(SchemaBuilder.array(Schema.INT32_SCHEMA).build(), List.of());
        same(SchemaBuilder.array(SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build()).build(),
                Arrays.asList(List.of("a"), null, List.of()));
        Schema element = SchemaBuilder.struct().optional().field("a", Schema.INT64_SCHEMA).build();
        same(SchemaBuilder.array(element).build(), Arrays.asList(new Struct(element).put("a", 1L), null));
        same(SchemaBuilder.array(Decimal.builder(1).optional().build()).build(), Arrays.asList(BigDecimal.TEN.setScale(1), null));
        Map<String, Integer> byName = new LinkedHashMap<>();
        byName.put("z", 1);
        byName.put("a", null);
        byName.put("", 3);
        same(SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_INT32_SCHEMA).build(), byName);
        same(SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build(), byName);
        same(SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build(), Map.of());
        Map<Integer, String> byNumber = new LinkedHashMap<>();
        byNumber.put(2, "two");
        byNumber.put(null, "none");
        byNumber.put(-1, null);
        same(SchemaBuilder.map(Schema.OPTIONAL_INT32_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).build(), byNumber);
        same(SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).build(), byNumber);
        same(SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build(), Map.of());
        Map<Map<String, Integer>, List<Integer>> nested = new HashMap<>();
        nested.put(byName, Arrays.asList(1, null));
        same(SchemaBuilder.map(SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_INT32_SCHEMA).build(),
                SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).build()).build(), nested);
        same(SchemaBuilder.map(Date.SCHEMA, Schema.STRING_SCHEMA).build(), Map.of(new java.util.Date(0), "epoch"));
    }

    @Test
    void nullsDefaultsAndMissingRequiredFields() {
        Schema s = SchemaBuilder.struct()
                .field("opt", SchemaBuilder.int32().optional().defaultValue(42).build())
                .field("str", SchemaBuilder.string().optional().defaultValue("dflt").build())
                .field("inner", SchemaBuilder.struct().optional().field("x", Schema.INT8_SCHEMA).build())
                .field("req", SchemaBuilder.int32().defaultValue(1).build())
                .build();
        same(s, new Struct(s).put("opt", null).put("str", null).put("req", 5));
        same(s, new Struct(s).put("opt", 0).put("str", "").put("req", 5)
                .put("inner", new Struct(s.field("inner").schema()).put("x", (byte) 1)));
        // A required field never set is null, not its default, so the converter refuses it.
        same(s, new Struct(s));
        same(s.field("inner").schema(), new Struct(s.field("inner").schema()));
    }

    @Test
    void refusesWhatTheConverterRefusesNamingTheField() {
        Schema inner = SchemaBuilder.struct().optional().field("dec", Decimal.builder(2).optional().build())
                .field("days", SchemaBuilder.array(Date.builder().optional().build()).optional().build()).build();
        Schema outer = SchemaBuilder.struct().field("after", inner).build();
        Struct badScale = new Struct(outer).put("after", new Struct(inner).put("dec", new BigDecimal("1.234")));
        same(outer, badScale);
        DataException e = assertThrows(DataException.class, () -> writer.write(NONE, outer, badScale, NONE));
        assertTrue(e.getMessage().startsWith("field after.dec: "), e.getMessage());
        Struct notADay = new Struct(outer).put("after", new Struct(inner).put("days", Arrays.asList(null, new java.util.Date(5))));
        same(outer, notADay);
        e = assertThrows(DataException.class, () -> writer.write(NONE, outer, notADay, NONE));
        assertTrue(e.getMessage().startsWith("field after.days[1]: "), e.getMessage());
        same(outer, new Struct(inner));
        same(Schema.INT32_SCHEMA, "1");
        same(Schema.STRING_SCHEMA, 1);
        same(Schema.BYTES_SCHEMA, "x");
        same(SchemaBuilder.array(Schema.INT32_SCHEMA).build(), Map.of());
        // Everything after a refusal is written from a clean start.
        same(outer, new Struct(outer).put("after", new Struct(inner).put("dec", new BigDecimal("1.23"))));
    }

    @Test
    void leavesStringKeyedMapsWithNullKeysToTheConverter() {
        Map<String, Integer> map = new HashMap<>();
        map.put(null, 1);
        Schema schema = SchemaBuilder.map(Schema.OPTIONAL_STRING_SCHEMA, Schema.INT32_SCHEMA).build();
        assertThrows(DataException.class, () -> writer.write(NONE, schema, map, NONE));
        same(schema, Map.of("a", 1));
    }

    @Test
    void headAndTailAroundThePayload() {
        byte[] out = writer.write("{\"schema\":{},\"payload\":".getBytes(StandardCharsets.UTF_8), Schema.INT32_SCHEMA, 5,
                new byte[]{'}'});
        assertEquals("{\"schema\":{},\"payload\":5}", new String(out, StandardCharsets.UTF_8));
        String large = "x".repeat(3 << 20);
        same(Schema.STRING_SCHEMA, large);
        same(Schema.STRING_SCHEMA, "small after large");
    }

    @Test
    void randomValuesOfRandomSchemas() {
        Random random = new Random(20261122);
        RandomConnect gen = new RandomConnect(random);
        for (int i = 0; i < 400; i++) {
            Schema schema = gen.schema(0);
            for (int j = 0; j < 15; j++) {
                same(schema, gen.value(schema));
            }
        }
        assertTrue(compared > 5000, "compared " + compared);
    }

    /** The encoder's whole envelopes are the full converter's, event after event of random table shapes. */
    @Test
    void randomEnvelopesThroughTheEncoder() {
        Random random = new Random(5);
        RandomConnect gen = new RandomConnect(random);
        JsonConverter full = converter(true);
        EnvelopeEncoder encoder = new EnvelopeEncoder(false);
        List<Schema> tables = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            tables.add(gen.struct(1));
        }
        for (int i = 0; i < 4000; i++) {
            int t = random.nextInt(tables.size());
            Schema schema = tables.get(t);
            Struct v = (Struct) gen.value(schema);
            String topic = "p.public.t" + (t % 30);
            byte[] expected = full.fromConnectData(topic, schema, v);
            assertArrayEquals(expected, encoder.encode(topic, schema, v), () -> new String(expected, StandardCharsets.UTF_8));
        }
    }

    /** Random schemas of every Connect type and logical type, and random values that fit them. */
    static final class RandomConnect {

        private final Random random;

        RandomConnect(Random random) {
            this.random = random;
        }

        Schema schema(int depth) {
            int kinds = depth >= 3 ? 14 : 18;
            SchemaBuilder b = switch (random.nextInt(kinds)) {
                case 0 -> SchemaBuilder.int8();
                case 1 -> SchemaBuilder.int16();
                case 2 -> random.nextBoolean() ? SchemaBuilder.int32() : SchemaBuilder.int32().defaultValue(random.nextInt());
                case 3 -> random.nextBoolean() ? SchemaBuilder.int64() : MicroTimestamp.builder();
                case 4 -> SchemaBuilder.float32();
                case 5 -> SchemaBuilder.float64();
                case 6 -> SchemaBuilder.bool();
                case 7 -> random.nextBoolean() ? SchemaBuilder.string() : SchemaBuilder.string().defaultValue("d" + random.nextInt(9));
                case 8 -> random.nextBoolean() ? ZonedTimestamp.builder() : SchemaBuilder.string().name(PgTextConverter.SCHEMA_NAME);
                case 9 -> SchemaBuilder.bytes();
                case 10 -> Decimal.builder(random.nextInt(-2, 20));
                case 11 -> Date.builder();
                case 12 -> Time.builder();
                case 13 -> Timestamp.builder();
                case 14 -> SchemaBuilder.array(schema(depth + 1));
                case 15 -> SchemaBuilder.map(random.nextBoolean() ? Schema.STRING_SCHEMA : schema(depth + 1), schema(depth + 1));
                case 16 -> VariableScaleDecimal.builder();
                default -> structBuilder(depth);
            };
            return (random.nextInt(3) > 0 ? b.optional() : b).build();
        }

        Schema struct(int depth) {
            return structBuilder(depth).build();
        }

        private SchemaBuilder structBuilder(int depth) {
            SchemaBuilder b = SchemaBuilder.struct().name("s" + random.nextInt(1000));
            int fields = random.nextInt(1, 8);
            for (int i = 0; i < fields; i++) {
                String name = switch (random.nextInt(6)) {
                    case 0 -> "ü" + i;
                    case 1 -> "q\"\\" + i;
                    case 2 -> "😀" + i;
                    default -> "f" + i;
                };
                b.field(name, schema(depth + 1));
            }
            return b;
        }

        Object value(Schema s) {
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
                        return new java.util.Date(random.nextLong(-100_000_000_000_000L, 100_000_000_000_000L));
                    }
                    case VariableScaleDecimal.LOGICAL_NAME -> {
                        return VariableScaleDecimal.fromLogical(s, new BigDecimal(new BigInteger(random.nextInt(1, 120), random),
                                random.nextInt(-5, 30)));
                    }
                    default -> {
                    }
                }
            }
            return switch (s.type()) {
                case INT8 -> (byte) random.nextInt();
                case INT16 -> (short) random.nextInt();
                case INT32 -> random.nextInt();
                case INT64 -> random.nextLong();
                case FLOAT32 -> random.nextBoolean() ? Float.intBitsToFloat(random.nextInt()) : (float) (random.nextGaussian() * 1000);
                case FLOAT64 -> random.nextBoolean() ? Double.longBitsToDouble(random.nextLong()) : random.nextGaussian() * 1e6;
                case BOOLEAN -> random.nextBoolean();
                case STRING -> string();
                case BYTES -> {
                    byte[] b = new byte[random.nextInt(40)];
                    random.nextBytes(b);
                    yield random.nextBoolean() ? b : ByteBuffer.wrap(b);
                }
                case ARRAY -> {
                    List<Object> list = new ArrayList<>();
                    for (int i = random.nextInt(5); i > 0; i--) {
                        list.add(value(s.valueSchema()));
                    }
                    yield list;
                }
                case MAP -> {
                    Map<Object, Object> map = new LinkedHashMap<>();
                    for (int i = random.nextInt(5); i > 0; i--) {
                        Object key = value(s.keySchema());
                        if (key != null || s.keySchema().type() != Schema.Type.STRING) {
                            map.put(key, value(s.valueSchema()));
                        }
                    }
                    yield map;
                }
                case STRUCT -> {
                    Struct struct = new Struct(s);
                    for (Field f : s.fields()) {
                        struct.put(f, value(f.schema()));
                    }
                    yield struct;
                }
            };
        }

        private String string() {
            StringBuilder sb = new StringBuilder();
            for (int i = random.nextInt(24); i > 0; i--) {
                switch (random.nextInt(8)) {
                    case 0 -> sb.append((char) random.nextInt(0x20));
                    case 1 -> sb.append("\"\\/\u007f\u2028".charAt(random.nextInt(5)));
                    case 2 -> sb.append((char) random.nextInt(0x80, 0x800));
                    case 3 -> sb.append((char) random.nextInt(0x800, 0xD800));
                    case 4 -> sb.appendCodePoint(random.nextInt(0x10000, 0x110000));
                    case 5 -> sb.append((char) random.nextInt(0xD800, 0xE000));
                    default -> sb.append((char) random.nextInt(0x20, 0x7f));
                }
            }
            return sb.toString();
        }
    }
}
