package dev.replog.schemas.compact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.replog.schemas.ChangeEvent;
import dev.replog.schemas.EnvelopeDecoder;
import dev.replog.schemas.EventFormatException;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TransactionBoundary;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The applier's path for compact records, without Kafka Connect: a record's value is read by its
 * schema's JSON tree into the payload tree of the JSON format ({@link PayloadTree}) and decoded by
 * {@link EnvelopeDecoder#decodePayload}, so both formats give the same events by construction. Schema
 * trees are parsed once per id and kept, so the decoder's per-table-version caches (by tree identity)
 * hold. A first step: reading values straight into rows, without the tree, is the next one.
 * Not thread-safe.
 */
public final class CompactEventDecoder {

    private static final int CACHED_AT_MOST = 10_000;

    private final SchemaLookup lookup;
    private final ObjectMapper json = new ObjectMapper();
    private final EnvelopeDecoder envelopes = new EnvelopeDecoder();
    private final Map<SchemaId, JsonNode> trees = new HashMap<>();
    private final Map<SchemaId, List<String>> keyColumns = new HashMap<>();

    public CompactEventDecoder(SchemaLookup lookup) {
        this.lookup = lookup;
    }

    /**
     * @param key   the record key (null for a truncate, a watermark, a schema change)
     * @param value the record value; never null (tombstones are not events)
     */
    public ChangeEvent decode(byte[] key, byte[] value) {
        SchemaId id = CompactWire.schemaId(value, "value");
        if (id.equals(SchemaId.NONE)) {
            return envelopes.decodePayload(MissingNode.getInstance(), schemaless(value), () -> keyColumns(key));
        }
        JsonNode schema = tree(id);
        return envelopes.decodePayload(schema, payload(value, schema, id), () -> keyColumns(key));
    }

    /** A record of the transactions topic (see {@link EnvelopeDecoder#decodeTransaction(byte[], Lsn)}). */
    public TransactionBoundary decodeTransaction(byte[] value, Lsn commitLsn) {
        SchemaId id = CompactWire.schemaId(value, "value");
        JsonNode payload = id.equals(SchemaId.NONE) ? schemaless(value) : payload(value, tree(id), id);
        return envelopes.decodeTransaction(payload, commitLsn);
    }

    private JsonNode payload(byte[] value, JsonNode schema, SchemaId id) {
        BinaryIn in = new BinaryIn(value, CompactWire.HEADER);
        JsonNode payload = PayloadTree.read(in, schema);
        if (!in.atEnd()) {
            throw new EventFormatException("compact value: " + (value.length - in.position()) + " bytes left after the value of schema " + id);
        }
        return payload;
    }

    private JsonNode schemaless(byte[] value) {
        try {
            return json.readTree(value, CompactWire.HEADER, value.length - CompactWire.HEADER);
        } catch (IOException e) {
            throw new EventFormatException("compact value without schema is not valid JSON: " + e.getMessage());
        }
    }

    private List<String> keyColumns(byte[] key) {
        if (key == null) {
            throw new EventFormatException("row change has no key: Replog keys every change by primary key");
        }
        SchemaId id = CompactWire.schemaId(key, "key");
        List<String> names = keyColumns.get(id);
        if (names == null) {
            names = new ArrayList<>();
            for (JsonNode field : tree(id).path("fields")) {
                names.add(field.path("field").asText());
            }
            if (names.isEmpty()) {
                throw new EventFormatException("record key has no primary-key columns");
            }
            keyColumns.put(id, List.copyOf(names));
        }
        return names;
    }

    private JsonNode tree(SchemaId id) {
        JsonNode tree = trees.get(id);
        if (tree == null) {
            if (trees.size() >= CACHED_AT_MOST) {
                trees.clear();
                keyColumns.clear();
            }
            tree = CompactSchemas.treeOf(lookup, json, id);
            trees.put(id, tree);
        }
        return tree;
    }
}
