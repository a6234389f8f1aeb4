package dev.replog.schemas.compact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replog.schemas.ChangeEvent;
import dev.replog.schemas.EnvelopeDecoder;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The compact golden examples (schemas/golden/compact) are the existing golden events (schemas/golden,
 * checked against capture by GoldenEventsTest) in the compact format: each JSON-with-schema event,
 * read by JsonConverter, encodes to exactly its compact example, and the compact example reads back
 * both as the same Connect data (through ReplogCompactConverter) and as the same event for the applier
 * (CompactEventDecoder against EnvelopeDecoder). {@code -Dreplog.golden.write=true} writes the examples
 * anew: a change to them is a format change.
 */
class CompactGoldenEventsTest {

    private static final Path GOLDEN = Path.of("golden");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest
    @ValueSource(strings = {"c-create", "u-update", "d-delete", "r-snapshot-read", "t-truncate", "tombstone",
            "w-watermark", "s-schema-change"})
    void everyGoldenEventHasItsCompactExample(String name) throws IOException {
        JsonNode doc = JSON.readTree(Files.readString(GOLDEN.resolve(name + ".json")));
        byte[] jsonKey = jsonRecord(doc.get("key"));
        byte[] jsonValue = jsonRecord(doc.get("value"));
        InMemorySchemas store = new InMemorySchemas();
        byte[] key = compact(store, jsonKey, true);
        byte[] value = compact(store, jsonValue, false);
        ObjectNode example = example(store, key, value);
        Path file = GOLDEN.resolve("compact").resolve(name + ".json");
        if (Boolean.getBoolean("replog.golden.write")) {
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(example) + "\n");
        }
        assertEquals(JSON.readTree(Files.readString(file)), example, "the compact form of golden/" + name + ".json");

        // Read back from the example alone (its schema records as the schemas topic).
        InMemorySchemas topic = new InMemorySchemas();
        example.get("schemas").fields().forEachRemaining(e -> topic.add(SchemaRecord.of(bytes(e.getValue()))));
        assertSameConnectData(jsonKey, key, topic, true);
        assertSameConnectData(jsonValue, value, topic, false);
        if (jsonValue != null) {
            ChangeEvent expected = new EnvelopeDecoder().decode(jsonKey, jsonValue);
            assertEquals(expected, new CompactEventDecoder(topic).decode(key, value));
            LogDecoder eitherFormat = new LogDecoder(topic);
            assertEquals(expected, eitherFormat.decode(jsonKey, jsonValue));
            assertEquals(expected, eitherFormat.decode(key, value));
        }
    }

    /** A golden record's bytes, with the numbers the golden files blank as text ("0") numbers again, as capture wrote them. */
    private static byte[] jsonRecord(JsonNode record) throws IOException {
        if (record.isNull()) {
            return null;
        }
        JsonNode copy = record.deepCopy();
        if (!copy.get("schema").isNull()) {
            unblank(copy.get("schema"), copy.get("payload"));
        }
        return JSON.writeValueAsBytes(copy);
    }

    private static void unblank(JsonNode schema, JsonNode payload) {
        if (!(payload instanceof ObjectNode object)) {
            return;
        }
        for (JsonNode field : schema.path("fields")) {
            String name = field.path("field").asText();
            JsonNode value = object.get(name);
            if (value != null && value.isTextual() && field.path("type").asText().startsWith("int")) {
                object.set(name, LongNode.valueOf(Long.parseLong(value.asText())));
            } else if (value != null) {
                unblank(field, value);
            }
        }
    }

    private static byte[] compact(InMemorySchemas store, byte[] json, boolean isKey) {
        if (json == null) {
            return null;
        }
        JsonConverter reader = new JsonConverter();
        reader.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), isKey);
        SchemaAndValue data = reader.toConnectData("t", json);
        ReplogCompactConverter writer = new ReplogCompactConverter(store);
        writer.configure(Map.of(), isKey);
        return writer.fromConnectData("t", data.schema(), data.value());
    }

    private static ObjectNode example(InMemorySchemas store, byte[] key, byte[] value) throws IOException {
        ObjectNode example = JSON.createObjectNode();
        ObjectNode schemas = example.putObject("schemas");
        for (byte[] record : new byte[][]{key, value}) {
            if (record != null && !CompactWire.schemaId(record, "record").equals(SchemaId.NONE)) {
                SchemaId id = CompactWire.schemaId(record, "record");
                schemas.set(id.hex(), JSON.readTree(store.schemaJson(id)));
            }
        }
        example.put("key", hex(key));
        example.put("value", hex(value));
        if (value != null && CompactWire.schemaId(value, "value").equals(SchemaId.NONE)) {
            example.set("value_body_json", JSON.readTree(new String(value, CompactWire.HEADER, value.length - CompactWire.HEADER,
                    StandardCharsets.UTF_8)));
        }
        return example;
    }

    /** Magic byte, schema id and body, separated by a space. */
    private static String hex(byte[] record) {
        if (record == null) {
            return null;
        }
        String all = HEX.formatHex(record);
        return all.substring(0, 2) + " " + all.substring(2, 2 * CompactWire.HEADER) + " " + all.substring(2 * CompactWire.HEADER);
    }

    /** A schema record's value as it is in the topic: JsonConverter's compact JSON. */
    private static byte[] bytes(JsonNode schema) {
        try {
            return JSON.copy().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(schema);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertSameConnectData(byte[] json, byte[] compact, SchemaLookup topic, boolean isKey) {
        if (json == null) {
            assertNull(compact);
            return;
        }
        JsonConverter reference = new JsonConverter();
        reference.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), isKey);
        ReplogCompactConverter converter = new ReplogCompactConverter(topic);
        converter.configure(Map.of(), isKey);
        SchemaAndValue expected = reference.toConnectData("t", json);
        SchemaAndValue actual = converter.toConnectData("t", compact);
        assertEquals(expected.schema(), actual.schema());
        assertArrayEquals(reference.fromConnectData("t", expected.schema(), expected.value()),
                reference.fromConnectData("t", actual.schema(), actual.value()));
    }
}
