package dev.replog.schemas;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads a change event from the log: Debezium's envelope as Kafka's JsonConverter writes it with
 * schemas embedded ({@code {"schema": ..., "payload": ...}}) for key and value. Row changes and
 * truncates of the usual shape are read from the payload's tokens; everything else, errors included,
 * from its tree, as before the tokens were read.
 */
public final class EnvelopeDecoder {

    // Floating-point JSON numbers stay doubles: BigDecimal has no negative zero (see PgValues).
    private final ObjectMapper json = new ObjectMapper();
    private final EnvelopeReader values = new EnvelopeReader(json);
    private final EnvelopeReader keys = new EnvelopeReader(json);
    private final StreamedPayload streamed = new StreamedPayload(json);

    /**
     * @param key   the record key bytes (null for truncate)
     * @param value the record value bytes; never null (tombstones are not events)
     */
    public ChangeEvent decode(byte[] key, byte[] value) {
        ChangeEvent event = decodeStreamed(key, value);
        return event != null ? event : decodeTree(key, value);
    }

    /**
     * A row change or truncate of the usual shape, read from the payload's tokens ({@link StreamedPayload}):
     * the applier's hot path. Null for any other event and for every event that is wrong in any way:
     * {@link #decodeTree} decodes those, and words their errors as it always has.
     */
    ChangeEvent decodeStreamed(byte[] key, byte[] value) {
        try {
            StreamedPayload payload = values.readPayload(value, streamed);
            if (payload == null || payload.op().equals(SchemaChangeFormat.OP) || payload.op().equals(WatermarkFormat.OP)) {
                return null;
            }
            TableId table = payload.table();
            SourcePosition position = payload.position();
            if (payload.op().equals("t")) {
                return new Truncate(table, position);
            }
            Operation operation = Operation.fromCode(payload.op());
            List<String> keyColumns = key == null ? null : keys.readPayload(key, EnvelopeDecoder::keyNames);
            if (keyColumns == null) {
                return null;
            }
            TableSchema tableSchema = tableSchema(payload.schema(), operation, keyColumns, table);
            return new RowChange(table, operation, tableSchema, payload.before(), payload.after(), position);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The key's column names as {@link #keyColumns} reads them from the tree; null if that would refuse them. */
    private static List<String> keyNames(JsonNode schema, JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return null;
        }
        List<String> names = new ArrayList<>(2);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (!names.contains(name)) {
                names.add(name); // a name written twice stands where it first stood, as in a tree
            }
            p.nextToken();
            p.skipChildren();
        }
        return names.isEmpty() ? null : names;
    }

    /** Every event from its tree: the rare shapes, the errors, and what the streamed path is tested against. */
    ChangeEvent decodeTree(byte[] key, byte[] value) {
        EnvelopeReader.Parts envelope = values.read(value, "value");
        return decodePayload(envelope.schema(), envelope.payload(), () -> keyColumns(key));
    }

    /**
     * An event from its value schema and payload trees, as JsonConverter with schemas disabled would
     * have them: what a log format other than JSON-with-schema (the compact format) decodes through.
     * For one table version, pass the same schema tree every time (it is cached by identity).
     *
     * @param keyColumns the record key's column names, asked for row changes only; it throws if there is no key
     */
    public ChangeEvent decodePayload(JsonNode schema, JsonNode payload, Supplier<List<String>> keyColumns) {
        if (!payload.isObject()) {
            throw new EventFormatException("value has no 'payload' object (expected JSON with schemas embedded)");
        }
        String op = payload.path("op").asText(null);
        if (op == null) {
            throw new EventFormatException("envelope has no 'op'");
        }
        JsonNode source = payload.path("source");
        if (op.equals(WatermarkFormat.OP)) {
            return WatermarkFormat.read(source); // names no table
        }
        TableId table = new TableId(required(source, "schema"), required(source, "table"));
        SourcePosition position = position(source);
        if (op.equals("t")) {
            return new Truncate(table, position);
        }
        if (op.equals(SchemaChangeFormat.OP)) {
            return SchemaChangeFormat.read(table, position, payload.get("definition"));
        }
        Operation operation = Operation.fromCode(op);
        TableSchema tableSchema = tableSchema(schema, operation, keyColumns.get(), table);
        JsonNode rowSchema = rowSchema(schema, operation, table);
        Row before = row(rowSchema, payload.path("before"));
        Row after = row(rowSchema, payload.path("after"));
        return new RowChange(table, operation, tableSchema, before, after, position);
    }

    /**
     * Reads a record of the transactions topic: Debezium's BEGIN/END
     * ({@code status, id "<xid>:<lsn>", event_count, data_collections, ts_ms}).
     *
     * @param commitLsn the record's {@link LogHeaders#LSN} header: for END, the transaction's commit
     */
    public TransactionBoundary decodeTransaction(byte[] value, Lsn commitLsn) {
        return decodeTransaction(values.read(value, "value").payload(), commitLsn);
    }

    /** A record of the transactions topic from its payload tree (see {@link #decodePayload}). */
    public TransactionBoundary decodeTransaction(JsonNode payload, Lsn commitLsn) {
        String status = payload.path("status").asText("");
        if (!status.equals("BEGIN") && !status.equals("END")) {
            throw new EventFormatException("transaction record has status '" + status + "' (expected BEGIN or END)");
        }
        String id = payload.path("id").asText(null);
        if (id == null) {
            throw new EventFormatException("transaction record has no 'id'");
        }
        long xid;
        try {
            xid = Long.parseLong(id.contains(":") ? id.substring(0, id.indexOf(':')) : id);
        } catch (NumberFormatException e) {
            throw new EventFormatException("transaction id '" + id + "' does not start with a transaction number");
        }
        Map<String, Long> perTable = new HashMap<>();
        for (JsonNode c : payload.path("data_collections")) {
            String name = c.path("data_collection").asText("");
            if (name.indexOf('.') < 0) {
                throw new EventFormatException("transaction " + id + " names data collection '" + name + "' (expected schema.table)");
            }
            perTable.put(name, c.path("event_count").asLong());
        }
        SourcePosition at = new SourcePosition(commitLsn == null ? Lsn.ZERO : commitLsn, xid,
                Instant.ofEpochMilli(payload.path("ts_ms").asLong(0)), false);
        return new TransactionBoundary(status.equals("BEGIN") ? TransactionBoundary.Kind.BEGIN : TransactionBoundary.Kind.END,
                id, payload.path("event_count").asLong(0), perTable, at);
    }

    private static SourcePosition position(JsonNode source) {
        String lsn = required(source, "lsn");
        long txId = source.path("txId").asLong(0);
        Instant commit = Instant.ofEpochMilli(source.path("ts_ms").asLong(0));
        String snapshot = source.path("snapshot").asText("false");
        boolean isSnapshot = !snapshot.equals("false") && !snapshot.isEmpty();
        return new SourcePosition(new Lsn(Long.parseLong(lsn)), txId, commit, isSnapshot);
    }

    private List<String> keyColumns(byte[] key) {
        if (key == null) {
            throw new EventFormatException("row change has no key: Replog keys every change by primary key");
        }
        JsonNode keyPayload = keys.read(key, "key").payload();
        if (!keyPayload.isObject() || keyPayload.isEmpty()) {
            throw new EventFormatException("record key has no primary-key columns");
        }
        List<String> names = new ArrayList<>();
        keyPayload.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode rowSchema(JsonNode envelopeSchema, Operation op, TableId table) {
        String wanted = op.leavesRow() ? "after" : "before";
        JsonNode found = findRowSchema(envelopeSchema, wanted);
        if (found == null) {
            throw new EventFormatException("envelope schema of " + table + " has no '" + wanted + "' field");
        }
        return found;
    }

    /** @param wanted "before" or "after"; @return null if the envelope schema has no such field */
    static JsonNode findRowSchema(JsonNode envelopeSchema, String wanted) {
        for (JsonNode f : envelopeSchema.path("fields")) {
            if (wanted.equals(f.path("field").asText())) {
                return f;
            }
        }
        return null;
    }

    /**
     * Table schemas by their row schema's tree. The reader gives the same tree for every event of one
     * table version, so identity finds it without hashing the tree.
     */
    private final Map<JsonNode, TableSchema> schemas = new IdentityHashMap<>();

    private TableSchema tableSchema(JsonNode envelopeSchema, Operation op, List<String> keyColumns, TableId table) {
        JsonNode rowSchema = rowSchema(envelopeSchema, op, table);
        TableSchema cached = schemas.get(rowSchema);
        if (cached != null && cached.keyColumns().equals(keyColumns)) {
            return cached;
        }
        List<Column> columns = new ArrayList<>();
        for (JsonNode field : rowSchema.path("fields")) {
            String name = field.path("field").asText();
            columns.add(new Column(name, PgValues.typeOf(field, name), field.path("optional").asBoolean(true), PgValues.enumLabels(field)));
        }
        TableSchema built = new TableSchema(columns, keyColumns);
        if (schemas.size() > 10_000) {
            schemas.clear();
        }
        schemas.put(rowSchema, built);
        return built;
    }

    private static Row row(JsonNode rowSchema, JsonNode values) {
        if (values == null || values.isNull() || values.isMissingNode()) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode field : rowSchema.path("fields")) {
            String name = field.path("field").asText();
            // An unchanged TOASTed value is not in the log: leaving the column out keeps the follower's value.
            if (values.has(name) && !PgValues.isUnavailable(field, values.get(name))) {
                out.put(name, PgValues.toText(field, values.get(name), name));
            }
        }
        return new Row(out);
    }

    private static String required(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new EventFormatException("envelope 'source' has no '" + field + "'");
        }
        return v.asText();
    }
}
