package dev.replog.schemas;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The payload of a row change or truncate read from its JSON tokens, without building its tree:
 * building the payload's tree was the largest part of the applier's JSON decoding. It reads
 * {@code op}, the {@code source} fields Replog uses, and the values of {@code before} and
 * {@code after}, which it keeps as the tokens gave them and turns into text only when asked, once the
 * operation is known, in schema order: a value written twice counts in its last form, as in a tree.
 *
 * <p>What each column needs is worked out once per table version ({@link Layout}). A string, an
 * integer or a double that the column's {@link PgValues.Conversion} takes goes to it directly; any
 * other value (arrays, structs, booleans, a value of a JSON kind its column does not expect) is read
 * as the small tree the tree path would have had and goes through {@link PgValues.Conversion#text}.
 *
 * <p>It gives up (null) on anything but the usual shape: a row or source object written twice, a
 * missing or oddly typed {@code op} or {@code source} field, {@code before} and {@code after} schemas
 * that differ. The caller then decodes the event from its tree, which also words every error as it
 * always has. Not thread-safe: one per decoder; what {@link #read} returns is valid until the next read.
 */
final class StreamedPayload implements EnvelopeReader.PayloadReader<StreamedPayload> {

    /** More distinct schemas than this means many table versions: start over rather than grow. */
    private static final int MAX_LAYOUTS = 10_000;

    private final ObjectMapper json;
    /** By the envelope schema's tree: the reader gives the same tree for every event of a table version. */
    private final Map<JsonNode, Layout> layouts = new IdentityHashMap<>();
    private JsonNode lastSchema;
    private Layout lastLayout;

    private JsonNode schema;
    private Layout layout;
    private String op;
    private String schemaName;
    private String tableName;
    private long lsn;
    private long txId;
    private long commitMillis;
    private boolean snapshot;
    private final Values before = new Values();
    private final Values after = new Values();

    StreamedPayload(ObjectMapper json) {
        this.json = json;
    }

    /**
     * The columns of one table version, in schema order, with what each needs: name, field schema,
     * conversion, and its slot by name.
     */
    private record Layout(String[] names, JsonNode[] fields, PgValues.Conversion[] conversions, Map<String, Integer> slots) {
    }

    /** What a row had for a column, and so which array of {@link Values} holds it. */
    private enum Found { ABSENT, NULL, TEXT, LONG, DOUBLE, NODE }

    /** One row's values as read, by slot; reused from event to event. */
    private static final class Values {
        boolean seen;
        boolean present;
        Found[] found = new Found[0];
        long[] numbers = new long[0];
        Object[] refs = new Object[0];

        void clear(int columns) {
            seen = false;
            present = false;
            if (found.length != columns) {
                found = new Found[columns];
                numbers = new long[columns];
                refs = new Object[columns];
            }
            Arrays.fill(found, Found.ABSENT);
            Arrays.fill(refs, null);
        }

        void put(int slot, Found how, long number, Object ref) {
            found[slot] = how;
            numbers[slot] = number;
            refs[slot] = ref;
        }
    }

    @Override
    public StreamedPayload read(JsonNode envelopeSchema, JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return null;
        }
        schema = envelopeSchema;
        layout = layout(envelopeSchema);
        op = null;
        boolean source = false;
        before.clear(layout == null ? 0 : layout.names().length);
        after.clear(layout == null ? 0 : layout.names().length);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken token = p.nextToken();
            boolean usual;
            switch (name) {
                case "before" -> usual = readRow(p, token, before);
                case "after" -> usual = readRow(p, token, after);
                case "source" -> {
                    usual = !source && token == JsonToken.START_OBJECT && readSource(p);
                    source = true; // a second source object would replace the first one's fields wholesale
                }
                case "op" -> {
                    usual = token == JsonToken.VALUE_STRING; // the last op counts, as in the tree
                    op = usual ? p.getText() : null;
                }
                default -> {
                    p.skipChildren();
                    usual = true;
                }
            }
            if (!usual) {
                return null;
            }
        }
        return op != null && source ? this : null;
    }

    String op() {
        return op;
    }

    JsonNode schema() {
        return schema;
    }

    TableId table() {
        return new TableId(schemaName, tableName);
    }

    SourcePosition position() {
        return new SourcePosition(new Lsn(lsn), txId, Instant.ofEpochMilli(commitMillis), snapshot);
    }

    /** @return null if the payload has no {@code before} row */
    Row before() {
        return row(before);
    }

    /** @return null if the payload has no {@code after} row */
    Row after() {
        return row(after);
    }

    private boolean readRow(JsonParser p, JsonToken token, Values values) throws IOException {
        if (values.seen) {
            return false;
        }
        values.seen = true;
        if (token == JsonToken.VALUE_NULL) {
            return true;
        }
        if (token != JsonToken.START_OBJECT || layout == null) {
            return false;
        }
        values.present = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            Integer slot = layout.slots().get(p.currentName());
            JsonToken t = p.nextToken();
            if (slot == null) {
                p.skipChildren();
                continue;
            }
            PgValues.Conversion conversion = layout.conversions()[slot];
            if (t == JsonToken.VALUE_NULL) {
                values.put(slot, Found.NULL, 0, null);
            } else if (t == JsonToken.VALUE_STRING && conversion.readsText()) {
                values.put(slot, Found.TEXT, 0, p.getText());
            } else if (t == JsonToken.VALUE_NUMBER_INT && conversion.readsLong()
                    && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                values.put(slot, Found.LONG, p.getLongValue(), null);
            } else if (t == JsonToken.VALUE_NUMBER_FLOAT && conversion.readsDouble()) {
                values.put(slot, Found.DOUBLE, Double.doubleToRawLongBits(p.getDoubleValue()), null);
            } else if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                values.put(slot, Found.NODE, 0, BooleanNode.valueOf(t == JsonToken.VALUE_TRUE));
            } else {
                values.put(slot, Found.NODE, 0, json.<JsonNode>readTree(p));
            }
        }
        return true;
    }

    /** The fields the tree path reads: schema, table and lsn required, txId, ts_ms and snapshot as it defaults them. */
    private boolean readSource(JsonParser p) throws IOException {
        schemaName = null;
        tableName = null;
        txId = 0;
        commitMillis = 0;
        String snapshotText = "false";
        int required = 0; // bits: schema, table, lsn
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken token = p.nextToken();
            // A field written twice: the last counts, here as in the tree.
            switch (name) {
                case "schema", "table" -> {
                    if (token != JsonToken.VALUE_STRING) {
                        return false;
                    }
                    if (name.equals("schema")) {
                        schemaName = p.getText();
                        required |= 1;
                    } else {
                        tableName = p.getText();
                        required |= 2;
                    }
                }
                case "lsn" -> {
                    if (token == JsonToken.VALUE_STRING) {
                        lsn = Long.parseLong(p.getText());
                    } else if (isLong(p, token)) {
                        lsn = p.getLongValue();
                    } else {
                        return false;
                    }
                    required |= 4;
                }
                case "txId" -> txId = asLong(p, token);
                case "ts_ms" -> commitMillis = asLong(p, token);
                case "snapshot" -> snapshotText = token == JsonToken.VALUE_STRING ? p.getText()
                        : token == JsonToken.VALUE_NULL ? "false" : json.<JsonNode>readTree(p).asText("false");
                default -> p.skipChildren();
            }
        }
        snapshot = !snapshotText.equals("false") && !snapshotText.isEmpty();
        return required == 7;
    }

    private static boolean isLong(JsonParser p, JsonToken token) throws IOException {
        return token == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
    }

    /** What the tree path's {@code asLong(0)} gives for the value at the parser. */
    private long asLong(JsonParser p, JsonToken token) throws IOException {
        if (isLong(p, token)) {
            return p.getLongValue();
        }
        return token == JsonToken.VALUE_NULL ? 0 : json.<JsonNode>readTree(p).asLong(0);
    }

    /** The row in schema order, as the tree path builds it: unavailable TOAST placeholders left out. */
    private Row row(Values values) {
        if (!values.present) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < values.found.length; i++) {
            String name = layout.names()[i];
            PgValues.Conversion conversion = layout.conversions()[i];
            switch (values.found[i]) {
                case NULL -> out.put(name, null);
                case TEXT -> {
                    String text = (String) values.refs[i];
                    if (!PgValues.isUnavailable(text)) {
                        out.put(name, conversion.ofText(text));
                    }
                }
                case LONG -> out.put(name, conversion.ofLong(values.numbers[i]));
                case DOUBLE -> out.put(name, conversion.ofDouble(Double.longBitsToDouble(values.numbers[i])));
                case NODE -> {
                    JsonNode value = (JsonNode) values.refs[i];
                    if (!PgValues.isUnavailable(layout.fields()[i], value)) {
                        out.put(name, conversion.text(value));
                    }
                }
                default -> {
                }
            }
        }
        return new Row(out);
    }

    private Layout layout(JsonNode envelopeSchema) {
        if (envelopeSchema != lastSchema) {
            if (!layouts.containsKey(envelopeSchema)) {
                if (layouts.size() >= MAX_LAYOUTS) {
                    layouts.clear();
                }
                layouts.put(envelopeSchema, layoutOf(envelopeSchema));
            }
            lastSchema = envelopeSchema;
            lastLayout = layouts.get(envelopeSchema);
        }
        return lastLayout;
    }

    /**
     * The tree path reads both rows with the row schema the operation picks, which is not known until
     * {@code op} is read (it comes last); so one layout serves only if both row schemas are the same
     * (as Debezium writes them). Null otherwise, or if a column name is there twice.
     */
    private static Layout layoutOf(JsonNode envelopeSchema) {
        JsonNode beforeSchema = EnvelopeDecoder.findRowSchema(envelopeSchema, "before");
        JsonNode afterSchema = EnvelopeDecoder.findRowSchema(envelopeSchema, "after");
        if (beforeSchema == null || afterSchema == null || !beforeSchema.path("fields").equals(afterSchema.path("fields"))) {
            return null;
        }
        JsonNode fields = afterSchema.path("fields");
        Map<String, Integer> slots = new HashMap<>();
        String[] names = new String[fields.size()];
        JsonNode[] fieldSchemas = new JsonNode[fields.size()];
        PgValues.Conversion[] conversions = new PgValues.Conversion[fields.size()];
        for (JsonNode field : fields) {
            String name = field.path("field").asText();
            int slot = slots.size();
            if (slots.putIfAbsent(name, slot) != null) {
                return null;
            }
            names[slot] = name;
            fieldSchemas[slot] = field;
            conversions[slot] = new PgValues.Conversion(field, name);
        }
        return new Layout(names, fieldSchemas, conversions, slots);
    }
}
