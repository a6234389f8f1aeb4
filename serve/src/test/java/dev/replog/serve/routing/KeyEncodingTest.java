package dev.replog.serve.routing;

import dev.replog.schemas.compact.CompactRecord;
import dev.replog.schemas.compact.CompactSchemas;
import dev.replog.schemas.compact.InMemorySchemas;
import dev.replog.schemas.compact.SchemaRecord;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keys written from text values are byte for byte the keys capture writes with {@link CompactRecord}
 * (and so land in the same partition), for every key type lookups support, in the compact format as
 * in the JSON one.
 */
class KeyEncodingTest {

    private static final Schema PG_TEXT = SchemaBuilder.string().name("dev.replog.PgText").version(1).build();
    private static final Schema UUID = SchemaBuilder.string().name("io.debezium.data.Uuid").version(1).build();

    private final InMemorySchemas schemas = new InMemorySchemas();
    private final CompactRecord capture = new CompactRecord(new CompactSchemas(schemas));

    /** What capture writes: the key's schema record into the schemas topic, then the key. */
    private byte[] captureKey(Struct key) {
        CompactRecord.Encoded encoded = capture.encode("p.public.t", key.schema(), key);
        schemas.add(encoded.schema());
        return encoded.bytes();
    }

    private static Struct key(Schema schema, Object... values) {
        Struct s = new Struct(schema);
        for (int i = 0; i < values.length; i++) {
            s.put(schema.fields().get(i), values[i]);
        }
        return s;
    }

    @Test
    void compactKeysOfEveryRoutableTypeAreWrittenFromTextExactlyAsCaptureWroteThem() {
        Schema schema = SchemaBuilder.struct().name("p.public.t.Key")
                .field("a", Schema.INT8_SCHEMA).field("b", Schema.INT16_SCHEMA).field("c", Schema.INT32_SCHEMA)
                .field("d", Schema.INT64_SCHEMA).field("e", Schema.BOOLEAN_SCHEMA).field("f", Schema.STRING_SCHEMA)
                .field("g", PG_TEXT).field("h", UUID).build();
        Object[][] rows = {
                {(byte) -128, (short) 32767, -1, Long.MIN_VALUE, true, "", "ü \"quoted\" ☃", "6f1c2a4e-0000-4000-8000-000000000001"},
                {(byte) 0, (short) -32768, Integer.MAX_VALUE, 64L, false, "x,y", "t", "00000000-0000-0000-0000-000000000000"},
        };
        for (Object[] row : rows) {
            byte[] written = captureKey(key(schema, row));
            KeyEncoding encoding = KeyEncoding.of(written, schemas);
            assertNotNull(encoding);
            assertEquals(KeyEncoding.Format.COMPACT, encoding.format());
            assertNull(encoding.unwritableColumn());
            List<String> text = List.of(row[0].toString(), row[1].toString(), row[2].toString(), row[3].toString(),
                    (Boolean) row[4] ? "t" : "f", (String) row[5], (String) row[6], (String) row[7]);
            assertArrayEquals(written, encoding.recordKey(text));
            assertTrue(encoding.matches(text, written));
            assertTrue(encoding.sameSchema(written));
            for (int partitions : new int[] {1, 3, 7}) {
                assertEquals(KeyEncoding.partition(written, partitions), KeyEncoding.partition(encoding.recordKey(text), partitions));
            }
        }
    }

    @Test
    void aClientGivenTheKeySchemaAndFormatByMetadataWritesTheSameKeys() {
        Schema schema = SchemaBuilder.struct().name("p.public.t.Key").field("id", Schema.INT64_SCHEMA).field("region", PG_TEXT).build();
        byte[] written = captureKey(key(schema, 42L, "eu"));
        KeyEncoding served = KeyEncoding.of(written, schemas);
        KeyEncoding client = KeyEncoding.fromSchema(KeyEncoding.Format.ofLabel(served.format().label()), served.schemaJson());
        assertArrayEquals(written, client.recordKey(List.of("42", "eu")));
        assertFalse(KeyEncoding.fromSchema(served.schemaJson()).matches(List.of("42", "eu"), written),
                "the same schema in the JSON format writes other bytes");
    }

    @Test
    void aKeyOfAnotherSchemaOrFormatIsNotTakenForTheKnownOne() {
        Schema int4 = SchemaBuilder.struct().name("p.public.t.Key").field("id", Schema.INT32_SCHEMA).build();
        Schema int8 = SchemaBuilder.struct().name("p.public.t.Key").field("id", Schema.INT64_SCHEMA).build();
        KeyEncoding encoding = KeyEncoding.of(captureKey(key(int4, 7)), schemas);
        byte[] widened = captureKey(key(int8, 7L));
        assertFalse(encoding.sameSchema(widened));
        assertFalse(encoding.matches(List.of("7"), widened));
        JsonConverter jsonFormat = new JsonConverter();
        jsonFormat.configure(Map.of("schemas.enable", "true"), true);
        byte[] json = jsonFormat.fromConnectData("p.public.t", int4, key(int4, 7));
        assertFalse(encoding.sameSchema(json));
        assertEquals(KeyEncoding.Format.JSON, KeyEncoding.of(json, schemas).format());
        assertArrayEquals(json, KeyEncoding.of(json, schemas).recordKey(List.of("7")));
    }

    @Test
    void aCompactKeyWhoseSchemaIsUnknownHasNoEncoding() {
        Schema schema = SchemaBuilder.struct().name("p.public.t.Key").field("id", Schema.INT32_SCHEMA).build();
        CompactRecord.Encoded encoded = capture.encode("p.public.t", schema, key(schema, 1));
        assertNull(KeyEncoding.of(encoded.bytes(), new InMemorySchemas()));
        InMemorySchemas known = new InMemorySchemas();
        known.add(encoded.schema());
        assertNotNull(KeyEncoding.of(encoded.bytes(), known));
    }

    @Test
    void valuesThatDoNotFitTheKeyAreRefusedNamingTheColumn() {
        Schema schema = SchemaBuilder.struct().name("p.public.t.Key").field("small", Schema.INT16_SCHEMA).field("flag", Schema.BOOLEAN_SCHEMA).build();
        KeyEncoding encoding = KeyEncoding.of(captureKey(key(schema, (short) 1, true)), schemas);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> encoding.recordKey(List.of("40000", "t")))
                .getMessage().contains("small"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> encoding.recordKey(List.of("1", "yes")))
                .getMessage().contains("flag"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> encoding.recordKey(List.of("1")))
                .getMessage().contains("2 column(s)"));
    }

    @Test
    void aDecimalKeyColumnIsNamedAsNotRoutable() {
        Schema schema = SchemaBuilder.struct().name("p.public.t.Key").field("amount", Decimal.schema(2)).build();
        KeyEncoding encoding = KeyEncoding.of(captureKey(key(schema, new java.math.BigDecimal("1.50"))), schemas);
        assertEquals("amount", encoding.unwritableColumn().name());
    }

    @Test
    void theSchemaRecordOfACompactKeyIsWhatItsIdIsTheHashOf() {
        Schema schema = SchemaBuilder.struct().name("p.public.t.Key").field("id", Schema.INT32_SCHEMA).build();
        byte[] written = captureKey(key(schema, 1));
        KeyEncoding encoding = KeyEncoding.of(written, schemas);
        assertEquals(SchemaRecord.of(encoding.schemaJson()).id(), dev.replog.schemas.compact.CompactWire.schemaId(written, "key"));
    }
}
