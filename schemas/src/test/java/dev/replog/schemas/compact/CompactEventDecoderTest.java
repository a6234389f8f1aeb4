package dev.replog.schemas.compact;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replog.schemas.ChangeEvent;
import dev.replog.schemas.EnvelopeDecoder;
import dev.replog.schemas.RowChange;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import static dev.replog.schemas.compact.GoldenEnvelope.column;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The applier reads the same events from compact records as from JSON-with-schema ones, for columns
 * of every kind PgValues converts: integers, floats with NaN and -0.0, booleans, hex bytea, times,
 * Connect and variable-scale decimals, PgText arrays, uuid, jsonb, and a TOASTed value left unchanged
 * (absent from the row, so the follower keeps its own).
 */
class CompactEventDecoderTest {

    private static final String TOPIC = "p.public.kinds";
    private static final String UNAVAILABLE = "__debezium_unavailable_value";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyKindOfColumnDecodesAsFromJson() throws IOException {
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), false);
        JsonConverter jsonKeys = new JsonConverter();
        jsonKeys.configure(Map.of("schemas.enable", "true"), true);
        Schema envelope = json.asConnectSchema(GoldenEnvelope.withColumns(TOPIC, List.of(
                column("id", "int64", null, false, "INT8", 19, 0),
                column("small", "int16", null, true, "INT2", 5, 0),
                column("flag", "boolean", null, true, "BOOL", 1, 0),
                column("r", "float", null, true, "FLOAT4", 8, 8),
                column("d", "double", null, true, "FLOAT8", 17, 17),
                column("b", "string", null, true, "BYTEA", Integer.MAX_VALUE, 0),
                column("t", "int64", "io.debezium.time.MicroTime", true, "TIME", 15, 6),
                column("tags", "string", "dev.replog.PgText", true, "_TEXT", Integer.MAX_VALUE, 0),
                column("u", "string", "io.debezium.data.Uuid", true, "UUID", Integer.MAX_VALUE, 0),
                column("j", "string", "io.debezium.data.Json", true, "JSONB", Integer.MAX_VALUE, 0),
                column("big", "string", null, true, "TEXT", Integer.MAX_VALUE, 0),
                decimal(),
                variableScaleDecimal())));
        Schema keySchema = SchemaBuilder.struct().name(TOPIC + ".Key").field("id", Schema.INT64_SCHEMA).build();
        InMemorySchemas schemas = new InMemorySchemas();
        ReplogCompactConverter values = new ReplogCompactConverter(schemas);
        values.configure(Map.of(), false);
        ReplogCompactConverter keys = new ReplogCompactConverter(schemas);
        keys.configure(Map.of(), true);
        EnvelopeDecoder fromJson = new EnvelopeDecoder();
        CompactEventDecoder fromCompact = new CompactEventDecoder(schemas);

        Schema row = envelope.field("after").schema();
        Struct full = new Struct(row).put("id", 1L).put("small", (short) -7).put("flag", true).put("r", 0.1f).put("d", -0.0)
                .put("b", "\\x00ff10").put("t", 86_399_999_999L).put("tags", "{a,\"b c\",NULL}")
                .put("u", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11").put("j", "{\"k\": [1, \"v\"]}").put("big", "x".repeat(3000))
                .put("dec", new BigDecimal("-12.34"))
                .put("vsd", new Struct(row.field("vsd").schema()).put("scale", 3).put("value", BigInteger.valueOf(-1234567).toByteArray()));
        Struct odd = new Struct(row).put("id", 2L).put("r", Float.NaN).put("d", Double.NEGATIVE_INFINITY).put("big", UNAVAILABLE);
        Struct keyOnly = new Struct(row).put("id", 2L);
        List<Struct> events = List.of(event(envelope, "c", null, full), event(envelope, "u", keyOnly, odd), event(envelope, "d", keyOnly, null),
                event(envelope, "r", null, new Struct(row).put("id", 3L)));
        for (Struct event : events) {
            Struct changed = event.getStruct(event.getString("op").equals("d") ? "before" : "after");
            Struct key = new Struct(keySchema).put("id", changed.getInt64("id"));
            ChangeEvent expected = fromJson.decode(jsonKeys.fromConnectData(TOPIC, keySchema, key), json.fromConnectData(TOPIC, envelope, event));
            assertEquals(expected, fromCompact.decode(keys.fromConnectData(TOPIC, keySchema, key), values.fromConnectData(TOPIC, envelope, event)));
        }
        RowChange update = assertInstanceOf(RowChange.class, fromCompact.decode(keys.fromConnectData(TOPIC, keySchema,
                new Struct(keySchema).put("id", 2L)), values.fromConnectData(TOPIC, envelope, events.get(1))));
        assertFalse(update.after().has("big"), "an unchanged TOASTed value is left out of the row");
        assertEquals("NaN", update.after().get("r"));
    }

    private static ObjectNode decimal() {
        ObjectNode c = column("dec", "bytes", "org.apache.kafka.connect.data.Decimal", true, "NUMERIC", 10, 2);
        ((ObjectNode) c.get("parameters")).put("scale", "2");
        return c;
    }

    private static ObjectNode variableScaleDecimal() {
        ObjectNode c = column("vsd", "struct", "io.debezium.data.VariableScaleDecimal", true, "NUMERIC", 0, 0);
        c.putArray("fields").add(JSON.createObjectNode().put("type", "int32").put("optional", false)
                .put("field", "scale")).add(JSON.createObjectNode().put("type", "bytes")
                .put("optional", false).put("field", "value"));
        return c;
    }

    private static Struct event(Schema envelope, String op, Struct before, Struct after) {
        Struct source = new Struct(envelope.field("source").schema()).put("version", "3.6.3.Final").put("connector", "postgresql")
                .put("name", "p").put("ts_ms", 1_796_558_400_000L).put("db", "shop").put("schema", "public").put("table", "kinds")
                .put("txId", 555L).put("lsn", 24_023_184L).put("snapshot", op.equals("r") ? "true" : "false");
        Struct event = new Struct(envelope).put("before", before).put("after", after).put("source", source).put("op", op)
                .put("ts_ms", 1_796_558_400_003L);
        if (!op.equals("r")) {
            event.put("transaction", new Struct(envelope.field("transaction").schema()).put("id", "555:24023184")
                    .put("total_order", 1L).put("data_collection_order", 1L));
        }
        return event;
    }
}
