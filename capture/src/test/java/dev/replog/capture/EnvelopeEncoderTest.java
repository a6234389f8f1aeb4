package dev.replog.capture;

import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The encoder's bytes are JsonConverter's (schemas embedded), event after event of one schema. */
class EnvelopeEncoderTest {

    private static final Schema ROW = row();
    private static final Schema ENVELOPE = envelope(ROW);

    private static Schema row() {
        return SchemaBuilder.struct().name("p.public.t.Value").optional()
            .field("id", Schema.INT64_SCHEMA)
            .field("i8", Schema.OPTIONAL_INT8_SCHEMA)
            .field("i16", Schema.OPTIONAL_INT16_SCHEMA)
            .field("i32", SchemaBuilder.int32().optional().defaultValue(42).parameter("__debezium.source.column.type", "INT4").build())
            .field("f32", Schema.OPTIONAL_FLOAT32_SCHEMA)
            .field("f64", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("b", Schema.OPTIONAL_BOOLEAN_SCHEMA)
            .field("s", SchemaBuilder.string().optional().defaultValue("dflt").build())
            .field("raw", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("dec", Decimal.builder(2).optional().build())
            .field("day", Date.builder().optional().build())
            .field("at", Timestamp.builder().optional().build())
            .field("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build())
            .field("attrs", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_INT32_SCHEMA).optional().build())
            .build();
    }

    private static Schema envelope(Schema row) {
        return SchemaBuilder.struct().name("p.public.t.Envelope")
                .field("before", row).field("after", row).field("op", Schema.STRING_SCHEMA).build();
    }

    private static final Schema OTHER = SchemaBuilder.struct().name("p.public.t.Envelope")
            .field("after", SchemaBuilder.struct().optional().field("s", Schema.OPTIONAL_STRING_SCHEMA).build()).build();
    private static final Schema KEY = SchemaBuilder.struct().name("p.public.t.Key").field("id", Schema.INT64_SCHEMA).build();

    private static Struct row(long id, boolean nulls) {
        Struct r = new Struct(ROW).put("id", id);
        if (nulls) {
            return r.put("i32", null).put("s", null);
        }
        return r.put("i8", (byte) -3).put("i16", (short) 300).put("i32", Integer.MIN_VALUE).put("f32", 0.1f)
                .put("f64", id % 2 == 0 ? Double.NaN : -0.0).put("b", true).put("s", "é \"q\" \\ \n \u0001 😀 </script>")
                .put("raw", new byte[]{0, 1, -1}).put("dec", new BigDecimal("-123.45")).put("day", new java.util.Date(86_400_000L * 19_000))
                .put("at", new java.util.Date(1_700_000_000_123L)).put("tags", List.of("a", "b,c")).put("attrs", Map.of("k", 1));
    }

    @Test
    void valuesAreJsonConvertersBytes() {
        JsonConverter reference = converter(false);
        EnvelopeEncoder encoder = new EnvelopeEncoder(false);
        // A new but equal Schema object (Debezium may build one per transaction) and another table
        // version on the same topic in between.
        Schema equalCopy = envelope(row());
        for (int i = 0; i < 9; i++) {
            if (i % 3 == 2) {
                Struct other = new Struct(OTHER).put("after", new Struct(OTHER.field("after").schema()).put("s", "x" + i));
                assertArrayEquals(reference.fromConnectData("p.public.t", OTHER, other), encoder.encode("p.public.t", OTHER, other));
                continue;
            }
            Schema schema = i < 4 ? ENVELOPE : equalCopy;
            Struct v = new Struct(schema).put("before", i % 3 == 0 ? null : row(i, i % 2 == 0)).put("after", row(i, i % 3 == 1)).put("op", "u");
            assertArrayEquals(reference.fromConnectData("p.public.t", schema, v), encoder.encode("p.public.t", schema, v),
                    () -> new String(encoder.encode("p.public.t", schema, v), StandardCharsets.UTF_8));
        }
    }

    @Test
    void keysAndSchemalessValuesAreJsonConvertersBytes() {
        JsonConverter reference = converter(true);
        EnvelopeEncoder encoder = new EnvelopeEncoder(true);
        for (long id = 0; id < 3; id++) {
            Struct k = new Struct(KEY).put("id", id);
            assertArrayEquals(reference.fromConnectData("t", KEY, k), encoder.encode("t", KEY, k));
        }
        assertArrayEquals(reference.fromConnectData("t", null, Map.of("a", 1)), encoder.encode("t", null, Map.of("a", 1)));
        assertNull(encoder.encode("t", null, null));
    }

    @Test
    void aValueThePayloadWriterLeavesToTheConverterIsTheConvertersBytes() {
        Schema schema = SchemaBuilder.struct().name("p.public.t.Value")
                .field("m", SchemaBuilder.map(Schema.OPTIONAL_STRING_SCHEMA, Schema.INT32_SCHEMA).build()).build();
        JsonConverter reference = converter(false);
        EnvelopeEncoder encoder = new EnvelopeEncoder(false);
        Struct first = new Struct(schema).put("m", Map.of("a", 1));
        assertArrayEquals(reference.fromConnectData("p.public.t", schema, first), encoder.encode("p.public.t", schema, first));
        Map<String, Integer> nullKey = new HashMap<>();
        nullKey.put(null, 2);
        Struct second = new Struct(schema).put("m", nullKey);
        assertArrayEquals(reference.fromConnectData("p.public.t", schema, second), encoder.encode("p.public.t", schema, second));
        assertArrayEquals(reference.fromConnectData("p.public.t", schema, first), encoder.encode("p.public.t", schema, first));
        // As a schema's first event it leaves the schema to the converter (with a warning).
        EnvelopeEncoder other = new EnvelopeEncoder(false);
        for (Struct v : List.of(second, first, second)) {
            assertArrayEquals(reference.fromConnectData("p.public.t", schema, v), other.encode("p.public.t", schema, v));
        }
    }

    @Test
    void aValueNeitherWritesIsRefusedNamingTheField() {
        EnvelopeEncoder encoder = new EnvelopeEncoder(false);
        Struct good = new Struct(ENVELOPE).put("after", row(1, false)).put("op", "c");
        encoder.encode("p.public.t", ENVELOPE, good);
        // Struct.put checks the class of a decimal, not its scale; the converter refuses another scale.
        Struct bad = new Struct(ENVELOPE).put("after", row(2, false).put("dec", new BigDecimal("1.234"))).put("op", "c");
        DataException e = assertThrows(DataException.class, () -> encoder.encode("p.public.t", ENVELOPE, bad));
        assertTrue(e.getMessage().startsWith("field after.dec: "), e.getMessage());
        assertArrayEquals(converter(false).fromConnectData("p.public.t", ENVELOPE, good), encoder.encode("p.public.t", ENVELOPE, good));
    }

    @Test
    void anEnvelopeThatIsNotSchemaPlusPayloadIsNotSplit() {
        byte[] payload = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);
        assertNull(EnvelopeEncoder.head("{\"schema\":{},\"payload\":{\"id\":2}}".getBytes(StandardCharsets.UTF_8), payload));
        assertNull(EnvelopeEncoder.head("{\"payload\":{\"id\":1},\"schema\":{}}".getBytes(StandardCharsets.UTF_8), payload));
        assertArrayEquals("{\"schema\":{},\"payload\":".getBytes(StandardCharsets.UTF_8),
                EnvelopeEncoder.head("{\"schema\":{},\"payload\":{\"id\":1}}".getBytes(StandardCharsets.UTF_8), payload));
    }

    private static JsonConverter converter(boolean isKey) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false", "schemas.cache.size", "10000"), isKey);
        return c;
    }
}
