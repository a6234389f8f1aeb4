package dev.replog.schemas.compact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.schemas.EventFormatException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Connect schemas and their schema records, both ways. A schema's JSON is Kafka's JsonConverter's
 * ({@code asJsonSchema}), the very bytes of the {@code schema} part of a JSON-with-schema record, and
 * is read back by the same converter ({@code asConnectSchema}): names, versions, parameters (such as
 * {@code __debezium.source.column.type}), defaults and docs survive exactly as they do in today's log.
 * Debezium passes the same Schema object event after event, so identity finds it first; an equal
 * new object costs one equals. Not thread-safe.
 */
public final class CompactSchemas {

    private static final int CACHED_AT_MOST = 10_000;

    private final JsonConverter converter = new JsonConverter();
    private final ObjectMapper json = new ObjectMapper();
    private final SchemaLookup lookup;
    private final Map<Schema, SchemaRecord> byIdentity = new IdentityHashMap<>();
    private final Map<Schema, SchemaRecord> byEquality = new HashMap<>();
    private final Map<SchemaId, Schema> byId = new HashMap<>();

    /** @param lookup where schemas of ids met in records are found */
    public CompactSchemas(SchemaLookup lookup) {
        this.lookup = lookup;
        converter.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false",
                "schemas.cache.size", Integer.toString(CACHED_AT_MOST)), false);
    }

    /** The schema record of {@code schema}: its JSON and id. */
    public SchemaRecord recordOf(Schema schema) {
        SchemaRecord known = byIdentity.get(schema);
        if (known != null) {
            return known;
        }
        known = byEquality.get(schema);
        if (known == null) {
            try {
                known = SchemaRecord.of(json.writeValueAsBytes(converter.asJsonSchema(schema)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            bounded(byEquality).put(schema, known);
        }
        bounded(byIdentity).put(schema, known);
        return known;
    }

    /** The Connect schema of an id met in a record, from the lookup. */
    public Schema schemaOf(SchemaId id) {
        Schema known = byId.get(id);
        if (known == null) {
            known = converter.asConnectSchema(treeOf(lookup, json, id));
            bounded(byId).put(id, known);
        }
        return known;
    }

    /** The schema's JSON tree from {@code lookup}, checked against its id. */
    static JsonNode treeOf(SchemaLookup lookup, ObjectMapper json, SchemaId id) {
        byte[] bytes = lookup.schemaJson(id);
        if (bytes == null) {
            throw new EventFormatException("unknown schema id " + id + ": it is not (yet) in the schemas topic");
        }
        if (!SchemaId.of(bytes).equals(id)) {
            throw new EventFormatException("schema record " + id + " holds a schema whose id is " + SchemaId.of(bytes));
        }
        try {
            return json.readTree(bytes);
        } catch (IOException e) {
            throw new EventFormatException("schema record " + id + " is not valid JSON: " + e.getMessage());
        }
    }

    private static <K, V> Map<K, V> bounded(Map<K, V> cache) {
        if (cache.size() >= CACHED_AT_MOST) {
            cache.clear();
        }
        return cache;
    }
}
