package dev.replog.schemas.compact;

import dev.replog.schemas.EnvelopeDecoder;
import dev.replog.schemas.Lsn;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The converter as Kafka Connect configures and calls it, with a map-backed schema lookup. */
class ReplogCompactConverterTest {

    /** What a worker instantiates from {@code schema.lookup.class}: here one map shared by the test. */
    public static final class SharedMapLookup implements SchemaStore, Configurable {

        static final InMemorySchemas SCHEMAS = new InMemorySchemas();
        static Map<String, ?> configured;

        @Override
        public void configure(Map<String, ?> configs) {
            configured = configs;
        }

        @Override
        public void add(SchemaRecord schema) {
            SCHEMAS.add(schema);
        }

        @Override
        public byte[] schemaJson(SchemaId id) {
            return SCHEMAS.schemaJson(id);
        }
    }

    private static final Schema ROW = SchemaBuilder.struct().name("p.public.orders.Value").optional()
            .field("id", Schema.INT64_SCHEMA).field("note", Schema.OPTIONAL_STRING_SCHEMA).build();

    private static ReplogCompactConverter configuredByClassName(boolean isKey) {
        ReplogCompactConverter c = new ReplogCompactConverter();
        c.configure(Map.of(ReplogCompactConverter.LOOKUP_CLASS, SharedMapLookup.class.getName(), "schemas.topic", "p.schemas"), isKey);
        return c;
    }

    @Test
    void aWorkerConfiguredConverterWritesAndReadsThroughItsLookupClass() {
        ReplogCompactConverter writer = configuredByClassName(false);
        assertEquals("p.schemas", SharedMapLookup.configured.get("schemas.topic"), "the lookup gets the converter's settings");
        Struct row = new Struct(ROW).put("id", 7L).put("note", "n");
        byte[] bytes = writer.fromConnectData("p.public.orders", ROW, row);
        assertTrue(SharedMapLookup.SCHEMAS.contains(CompactWire.schemaId(bytes, "value")), "a new schema goes to the store");
        SchemaAndValue back = configuredByClassName(false).toConnectData("p.public.orders", bytes);
        assertEquals(ROW, back.schema());
        assertEquals(row, back.value());
    }

    @Test
    void tombstonesStayNullAndSchemalessValuesAreJsonConvertersMaps() {
        ReplogCompactConverter c = new ReplogCompactConverter(new InMemorySchemas());
        c.configure(Map.of(), false);
        assertNull(c.fromConnectData("t", null, null));
        assertEquals(SchemaAndValue.NULL, c.toConnectData("t", null));
        Map<String, Object> watermark = Map.of("op", "replog.watermark", "source", Map.of("lsn", 5L, "ts_ms", 1L));
        byte[] bytes = c.fromConnectData("t", null, watermark);
        assertEquals(SchemaId.NONE, CompactWire.schemaId(bytes, "value"));
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true"), false);
        assertEquals(json.toConnectData("t", json.fromConnectData("t", null, watermark)), c.toConnectData("t", bytes));
    }

    @Test
    void recordsOfTheJsonFormatAreStillRead() {
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), true);
        Schema key = SchemaBuilder.struct().name("p.public.orders.Key").field("id", Schema.INT64_SCHEMA).build();
        byte[] old = json.fromConnectData("p.public.orders", key, new Struct(key).put("id", 3L));
        ReplogCompactConverter c = new ReplogCompactConverter(new InMemorySchemas());
        c.configure(Map.of(), true);
        assertEquals(json.toConnectData("p.public.orders", old), c.toConnectData("p.public.orders", old));
    }

    @Test
    void withoutALookupClassOrWithANewSchemaAndAReadOnlyLookupItSaysWhatIsMissing() {
        DataException missing = assertThrows(DataException.class, () -> new ReplogCompactConverter().configure(Map.of(), false));
        assertTrue(missing.getMessage().contains(ReplogCompactConverter.LOOKUP_CLASS), missing.getMessage());
        DataException wrong = assertThrows(DataException.class,
                () -> new ReplogCompactConverter().configure(Map.of(ReplogCompactConverter.LOOKUP_CLASS, "java.lang.String"), false));
        assertTrue(wrong.getMessage().contains("does not implement"), wrong.getMessage());
        InMemorySchemas schemas = new InMemorySchemas();
        ReplogCompactConverter readOnly = new ReplogCompactConverter(schemas::schemaJson);
        readOnly.configure(Map.of(), false);
        DataException refused = assertThrows(DataException.class,
                () -> readOnly.fromConnectData("p.public.orders", ROW, new Struct(ROW).put("id", 1L)));
        assertTrue(refused.getMessage().contains("is new") && refused.getMessage().contains("p.public.orders"), refused.getMessage());
    }

    /** Debezium's BEGIN/END records of {@code <prefix>.transactions} read the same in both formats. */
    @Test
    void transactionRecordsDecodeAsInTheJsonFormat() {
        Schema collection = SchemaBuilder.struct().name("event.block").field("data_collection", Schema.STRING_SCHEMA)
                .field("event_count", Schema.INT64_SCHEMA).build();
        Schema tx = SchemaBuilder.struct().name("io.debezium.connector.common.TransactionMetadataValue").version(1)
                .field("status", Schema.STRING_SCHEMA).field("id", Schema.STRING_SCHEMA)
                .field("event_count", Schema.OPTIONAL_INT64_SCHEMA)
                .field("data_collections", SchemaBuilder.array(collection).optional().build())
                .field("ts_ms", Schema.INT64_SCHEMA).build();
        Struct end = new Struct(tx).put("status", "END").put("id", "555:24023184").put("event_count", 3L)
                .put("data_collections", List.of(new Struct(collection).put("data_collection", "public.orders").put("event_count", 2L),
                        new Struct(collection).put("data_collection", "public.a.b").put("event_count", 1L)))
                .put("ts_ms", 1_796_558_400_000L);
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), false);
        InMemorySchemas schemas = new InMemorySchemas();
        ReplogCompactConverter c = new ReplogCompactConverter(schemas);
        c.configure(Map.of(), false);
        Lsn commit = new Lsn(24023300);
        assertEquals(new EnvelopeDecoder().decodeTransaction(json.fromConnectData("p.transactions", tx, end), commit),
                new CompactEventDecoder(schemas).decodeTransaction(c.fromConnectData("p.transactions", tx, end), commit));
        byte[] begin = c.fromConnectData("p.transactions", tx, new Struct(tx).put("status", "BEGIN").put("id", "556:24023400")
                .put("ts_ms", 1L));
        assertEquals(556, new CompactEventDecoder(schemas).decodeTransaction(begin, Lsn.ZERO).source().txId());
        assertArrayEquals(begin, c.fromConnectData("p.transactions", tx, c.toConnectData("p.transactions", begin).value()));
    }
}
