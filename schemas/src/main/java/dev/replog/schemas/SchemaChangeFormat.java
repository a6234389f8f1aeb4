package dev.replog.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How a {@link SchemaChange} is written into a table topic: shaped like Debezium's envelope
 * ({@code {"schema": null, "payload": {"op": "replog.schema", "source": {...}, "definition": {...}}}})
 * so that {@link EnvelopeDecoder} reads it with the same source and position as row events, and
 * with no key, like a truncate. The definition alone is also what a follower stores.
 */
public final class SchemaChangeFormat {

    /** The envelope {@code op} of a schema change; Debezium's ops are single letters. */
    public static final String OP = "replog.schema";

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private SchemaChangeFormat() {
    }

    public static byte[] write(SchemaChange change) {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.putNull("schema");
        ObjectNode payload = envelope.putObject("payload");
        payload.put("op", OP);
        ObjectNode source = payload.putObject("source");
        source.put("schema", change.table().schema());
        source.put("table", change.table().table());
        source.put("lsn", change.source().lsn().value());
        source.put("txId", change.source().txId());
        source.put("ts_ms", change.source().commitTime().toEpochMilli());
        source.put("snapshot", Boolean.toString(change.source().snapshot()));
        payload.set("definition", change.definition() == null ? null : JSON.valueToTree(change.definition()));
        try {
            return JSON.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write schema change of " + change.table(), e);
        }
    }

    static SchemaChange read(TableId table, SourcePosition position, JsonNode definition) {
        if (definition == null || definition.isNull() || definition.isMissingNode()) {
            return new SchemaChange(table, null, position);
        }
        return new SchemaChange(table, readDefinition(definition, table), position);
    }

    public static String toJson(TableDefinition definition) {
        try {
            return JSON.writeValueAsString(definition);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write definition of " + definition.table(), e);
        }
    }

    public static TableDefinition fromJson(String json, TableId table) {
        try {
            return readDefinition(JSON.readTree(json), table);
        } catch (JsonProcessingException e) {
            throw new EventFormatException("stored definition of " + table + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static TableDefinition readDefinition(JsonNode node, TableId table) {
        try {
            return JSON.treeToValue(node, TableDefinition.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new EventFormatException("schema change of " + table + " has an unreadable definition: " + e.getMessage(), e);
        }
    }
}
