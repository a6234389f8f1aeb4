package dev.replog.schemas.compact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.replog.schemas.EnvelopeDecoder;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bytes per event of the bench's insert workload ({@code bench_insert}: bigint key, integer,
 * numeric(12,2), text, timestamptz) in both formats: the envelope schema is capture's golden one
 * (schemas/golden/c-create.json) with the bench's columns, the values a bench row's. Prints the
 * figures; the compact event must be smaller than even the JSON payload without its schema, and
 * the applier must read the same event from both.
 */
class CompactSizeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TOPIC = "replog.public.bench_insert";

    @Test
    void aBenchInsertEventIsSmallerThanItsJsonPayloadAloneAndDecodesToTheSameRow() throws IOException {
        JsonConverter withSchema = converter(true, false);
        JsonConverter payloadOnly = converter(false, false);
        JsonConverter keyWithSchema = converter(true, true);
        Schema valueSchema = withSchema.asConnectSchema(benchEnvelopeSchema());
        Schema keySchema = keyWithSchema.asConnectSchema(JSON.readTree("{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\","
                + "\"optional\":false,\"field\":\"id\"}],\"optional\":false,\"name\":\"" + TOPIC + ".Key\"}"));
        InMemorySchemas store = new InMemorySchemas();
        ReplogCompactConverter compactValues = new ReplogCompactConverter(store);
        compactValues.configure(Map.of(), false);
        ReplogCompactConverter compactKeys = new ReplogCompactConverter(store);
        compactKeys.configure(Map.of(), true);

        int rows = 1000;
        ByteArrayOutputStream jsonBatch = new ByteArrayOutputStream();
        ByteArrayOutputStream compactBatch = new ByteArrayOutputStream();
        long jsonBytes = 0;
        long jsonValueBytes = 0;
        long compactValueBytes = 0;
        long jsonArrayBytes = 0;
        long payloadBytes = 0;
        long compactBytes = 0;
        EnvelopeDecoder jsonDecoder = new EnvelopeDecoder();
        CompactEventDecoder compactDecoder = new CompactEventDecoder(store);
        for (long id = 1_000_001; id < 1_000_001 + rows; id++) {
            Struct value = benchEvent(valueSchema, id);
            Struct key = new Struct(keySchema).put("id", id);
            byte[] jsonKey = keyWithSchema.fromConnectData(TOPIC, keySchema, key);
            byte[] jsonValue = withSchema.fromConnectData(TOPIC, valueSchema, value);
            byte[] compactKey = compactKeys.fromConnectData(TOPIC, keySchema, key);
            byte[] compactValue = compactValues.fromConnectData(TOPIC, valueSchema, value);
            jsonBytes += jsonKey.length + jsonValue.length;
            jsonValueBytes += jsonValue.length;
            compactValueBytes += compactValue.length;
            byte[] payload = payloadOnly.fromConnectData(TOPIC, valueSchema, value);
            payloadBytes += payload.length;
            jsonArrayBytes += JSON.writeValueAsBytes(valuesOnly(JSON.readTree(payload))).length;
            compactBytes += compactKey.length + compactValue.length;
            jsonBatch.write(jsonKey);
            jsonBatch.write(jsonValue);
            compactBatch.write(compactKey);
            compactBatch.write(compactValue);
            assertEquals(jsonDecoder.decode(jsonKey, jsonValue), compactDecoder.decode(compactKey, compactValue));
        }
        long jsonGzip = gzip(jsonBatch.toByteArray());
        long compactGzip = gzip(compactBatch.toByteArray());
        System.out.printf("bench_insert event, bytes per event (key + value), mean of %d rows:%n", rows);
        System.out.printf("  JSON with schema (today):      %6.0f  (value payload alone, no schema: %.0f)%n", (double) jsonBytes / rows,
                (double) payloadBytes / rows);
        System.out.printf("  compact:                       %6.0f  (%.1f%% of JSON with schema)%n", (double) compactBytes / rows,
                100.0 * compactBytes / jsonBytes);
        System.out.printf("  values alone: JSON with schema %.0f, compact %.0f%n", (double) jsonValueBytes / rows,
                (double) compactValueBytes / rows);
        System.out.printf("  the value's payload as JSON arrays of values, no field names: %.0f%n", (double) jsonArrayBytes / rows);
        System.out.printf("  gzip of the %d events: JSON %.0f, compact %.0f bytes per event%n", rows, (double) jsonGzip / rows,
                (double) compactGzip / rows);
        System.out.printf("  schema records written once: %d (key and value), %d bytes%n", store.size(),
                store.schemaJson(CompactWire.schemaId(compactValues.fromConnectData(TOPIC, valueSchema, benchEvent(valueSchema, 1)), "v")).length
                        + store.schemaJson(CompactWire.schemaId(compactKeys.fromConnectData(TOPIC, keySchema, new Struct(keySchema).put("id", 1L)), "k")).length);
        assertEquals(2, store.size(), "one schema record each for the key and the value");
        assertTrue(compactBytes < payloadBytes, "compact events (" + compactBytes + " bytes) are smaller than the JSON payloads alone ("
                + payloadBytes + ")");
    }

    private static JsonConverter converter(boolean schemas, boolean isKey) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", Boolean.toString(schemas), "replace.null.with.default", "false"), isKey);
        return c;
    }

    /** The golden c-create envelope schema with bench_insert's columns in before and after. */
    static JsonNode benchEnvelopeSchema() throws IOException {
        return GoldenEnvelope.withColumns(TOPIC, List.of(
                GoldenEnvelope.column("id", "int64", null, false, "INT8", 19, 0),
                GoldenEnvelope.column("account", "int32", null, false, "INT4", 10, 0),
                GoldenEnvelope.column("amount", "string", null, false, "NUMERIC", 12, 2),
                GoldenEnvelope.column("note", "string", null, true, "TEXT", Integer.MAX_VALUE, 0),
                GoldenEnvelope.column("created_at", "string", "io.debezium.time.ZonedTimestamp", false, "TIMESTAMPTZ", 35, 6)));
    }

    /** Row {@code id} as the bench writes it, in a 1,000-row transaction, with a source block as capture's. */
    static Struct benchEvent(Schema envelope, long id) {
        Schema row = envelope.field("after").schema();
        long lsn = 24_023_184L + id * 152;
        long micros = 1_796_558_400_123_456L + id * 7;
        Struct after = new Struct(row).put("id", id).put("account", (int) (id % 1000))
                .put("amount", new java.math.BigDecimal(id % 100000).movePointLeft(2).toPlainString())
                .put("note", "row " + id + " written by replog bench").put("created_at", "2026-12-06T16:40:00.123456Z");
        Struct source = new Struct(envelope.field("source").schema()).put("version", "3.6.3.Final").put("connector", "postgresql")
                .put("name", "replog").put("ts_ms", micros / 1000).put("snapshot", "false").put("db", "bench")
                .put("sequence", "[\"24023128\",\"" + lsn + "\"]").put("ts_us", micros).put("ts_ns", micros * 1000)
                .put("schema", "public").put("table", "bench_insert").put("txId", 7_654_321L).put("lsn", lsn);
        Struct transaction = new Struct(envelope.field("transaction").schema()).put("id", "7654321:" + (lsn + 150_000))
                .put("total_order", id % 1000 + 1).put("data_collection_order", id % 1000 + 1);
        return new Struct(envelope).put("after", after).put("source", source).put("transaction", transaction).put("op", "c")
                .put("ts_ms", micros / 1000 + 3).put("ts_us", micros + 3000).put("ts_ns", (micros + 3000) * 1000);
    }

    /** A payload with every object turned into the array of its values: the JSON alternative to a binary encoding. */
    private static JsonNode valuesOnly(JsonNode node) {
        if (!node.isObject()) {
            return node;
        }
        ArrayNode values = JSON.createArrayNode();
        node.elements().forEachRemaining(v -> values.add(valuesOnly(v)));
        return values;
    }

    private static long gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.size();
    }
}
