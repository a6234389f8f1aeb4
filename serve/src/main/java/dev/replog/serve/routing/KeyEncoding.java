package dev.replog.serve.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.schemas.compact.CompactRecord;
import dev.replog.schemas.compact.CompactWire;
import dev.replog.schemas.compact.SchemaId;
import dev.replog.schemas.compact.SchemaLookup;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How capture writes one table's record keys, learnt from a key it wrote, in either log format:
 * Kafka's JsonConverter with the schema embedded, {@code {"schema":<schema>,"payload":{"<column>":<value>,...}}},
 * or the compact format's magic byte, schema id and binary values. From primary-key values in
 * PostgreSQL's text form it writes the exact bytes capture would, and so finds the partition capture's
 * producer chose for them: murmur2 of those bytes, as Kafka's default partitioner does. A different
 * byte anywhere sends a read to the wrong partition without an error, which is why {@link #matches}
 * checks an encoding against real keys before it is trusted. Thread-safe.
 */
public final class KeyEncoding {

    /** The log format a key is written in (the {@code keyFormat} of {@code /v1/metadata}). */
    public enum Format {
        JSON, COMPACT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @param label as {@link #label()} gives it; absent (an older instance): JSON */
        public static Format ofLabel(String label) {
            return label == null || label.isEmpty() ? JSON : valueOf(label.toUpperCase(Locale.ROOT));
        }
    }

    /** A key column and how its value is written: an integer, a boolean or a string. */
    public record KeyColumn(String name, String connectType, String semanticName) {

        private static final Set<String> INTEGERS = Set.of("int8", "int16", "int32", "int64");
        /** String-typed values that capture writes as PostgreSQL prints them. */
        private static final Set<String> TEXT_NAMES = Set.of("", "io.debezium.data.Uuid", "io.debezium.data.Enum",
                "dev.replog.PgText");

        boolean writable() {
            return semanticName.isEmpty() && (INTEGERS.contains(connectType) || connectType.equals("boolean"))
                    || connectType.equals("string") && TEXT_NAMES.contains(semanticName);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();
    private static final byte[] SCHEMA_FIELD = "{\"schema\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAYLOAD_FIELD = ",\"payload\":".getBytes(StandardCharsets.US_ASCII);

    private final Format format;
    private final byte[] schemaJson;
    private final List<KeyColumn> columns;
    /** Compact keys only: the schema's id and its Connect form, for writing values. */
    private final SchemaId schemaId;
    private final Schema connectSchema;

    private KeyEncoding(Format format, byte[] schemaJson, List<KeyColumn> columns) {
        this.format = format;
        this.schemaJson = schemaJson;
        this.columns = List.copyOf(columns);
        if (format == Format.COMPACT) {
            this.schemaId = SchemaId.of(schemaJson);
            JsonConverter converter = new JsonConverter();
            converter.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), true);
            try {
                this.connectSchema = converter.asConnectSchema(JSON.readTree(schemaJson));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            this.schemaId = null;
            this.connectSchema = null;
        }
    }

    /**
     * The encoding of a record key capture wrote in either format; null if the key is neither a
     * JsonConverter key with its schema embedded nor a compact key whose schema {@code schemas} knows.
     */
    public static KeyEncoding of(byte[] recordKey, SchemaLookup schemas) {
        if (CompactWire.isCompact(recordKey)) {
            if (recordKey.length < CompactWire.HEADER) {
                return null;
            }
            SchemaId id = CompactWire.schemaId(recordKey, "key");
            byte[] schema = id.equals(SchemaId.NONE) ? null : schemas.schemaJson(id);
            return schema == null ? null : fromSchema(Format.COMPACT, schema);
        }
        return of(recordKey);
    }

    /** The encoding of a record key capture wrote in the JSON format; null if it is not laid out as JsonConverter writes it. */
    public static KeyEncoding of(byte[] recordKey) {
        if (recordKey == null || recordKey.length < SCHEMA_FIELD.length
                || !Arrays.equals(recordKey, 0, SCHEMA_FIELD.length, SCHEMA_FIELD, 0, SCHEMA_FIELD.length)) {
            return null;
        }
        try (JsonParser p = FACTORY.createParser(recordKey, SCHEMA_FIELD.length, recordKey.length - SCHEMA_FIELD.length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            p.skipChildren();
            int end = SCHEMA_FIELD.length + (int) p.currentLocation().getByteOffset();
            return fromSchema(Format.JSON, Arrays.copyOfRange(recordKey, SCHEMA_FIELD.length, end));
        } catch (IOException e) {
            return null;
        }
    }

    /** The JSON-format encoding of a key schema (the {@code schema} part of a key). */
    public static KeyEncoding fromSchema(byte[] schemaJson) {
        return fromSchema(Format.JSON, schemaJson);
    }

    /**
     * The encoding of a key schema in a format ({@code keySchema} and {@code keyFormat} of
     * {@code /v1/metadata}); null if it is not a struct with fields. A compact key's id is the hash of
     * exactly these bytes, as in the schemas topic.
     */
    public static KeyEncoding fromSchema(Format format, byte[] schemaJson) {
        try {
            JsonNode tree = JSON.readTree(schemaJson);
            List<KeyColumn> columns = new ArrayList<>();
            for (JsonNode f : tree.path("fields")) {
                columns.add(new KeyColumn(f.path("field").asText(), f.path("type").asText(), f.path("name").asText("")));
            }
            return columns.isEmpty() ? null : new KeyEncoding(format, schemaJson.clone(), columns);
        } catch (IOException | DataException e) {
            return null;
        }
    }

    public Format format() {
        return format;
    }

    /** The key's schema as capture wrote it: the {@code schema} part of a JSON key, or the schema record of a compact one. */
    public byte[] schemaJson() {
        return schemaJson.clone();
    }

    public List<KeyColumn> columns() {
        return columns;
    }

    /** Whether {@code recordKey} was written under this encoding's schema (and format). */
    public boolean sameSchema(byte[] recordKey) {
        if (format == Format.COMPACT) {
            return CompactWire.isCompact(recordKey) && recordKey.length >= CompactWire.HEADER
                    && CompactWire.schemaId(recordKey, "key").equals(schemaId);
        }
        int end = SCHEMA_FIELD.length + schemaJson.length;
        return recordKey != null && recordKey.length > end
                && Arrays.equals(recordKey, SCHEMA_FIELD.length, end, schemaJson, 0, schemaJson.length);
    }

    /** The first key column whose type this encoding cannot write from text, or null if it can write them all. */
    public KeyColumn unwritableColumn() {
        return columns.stream().filter(c -> !c.writable()).findFirst().orElse(null);
    }

    /**
     * The record key capture writes for these key values.
     *
     * @throws IllegalArgumentException naming the column whose value or type does not fit
     */
    public byte[] recordKey(List<String> values) {
        if (values.size() != columns.size()) {
            throw new IllegalArgumentException("the key has " + columns.size() + " column(s) (" + columnNames()
                    + "), " + values.size() + " value(s) given");
        }
        return format == Format.COMPACT ? compactKey(values) : jsonKey(values);
    }

    private byte[] compactKey(List<String> values) {
        Struct key = new Struct(connectSchema);
        for (int i = 0; i < columns.size(); i++) {
            KeyColumn c = columns.get(i);
            key.put(c.name(), typed(c, values.get(i)));
        }
        try {
            return CompactRecord.encode(schemaId, connectSchema, key);
        } catch (DataException e) {
            throw new IllegalArgumentException("key " + values + " does not fit the key's schema: " + e.getMessage(), e);
        }
    }

    /** A key value from its text, as the Connect type capture gives the column. */
    private static Object typed(KeyColumn c, String text) {
        requireWritable(c);
        return switch (c.connectType()) {
            case "int8" -> (byte) integer(c, text, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case "int16" -> (short) integer(c, text, Short.MIN_VALUE, Short.MAX_VALUE);
            case "int32" -> (int) integer(c, text, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case "int64" -> integer(c, text, Long.MIN_VALUE, Long.MAX_VALUE);
            case "boolean" -> parseBoolean(c, text);
            default -> text;
        };
    }

    private byte[] jsonKey(List<String> values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(schemaJson.length + 64);
        out.writeBytes(SCHEMA_FIELD);
        out.writeBytes(schemaJson);
        out.writeBytes(PAYLOAD_FIELD);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            for (int i = 0; i < columns.size(); i++) {
                KeyColumn c = columns.get(i);
                g.writeFieldName(c.name());
                writeJsonValue(g, c, values.get(i));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('}');
        return out.toByteArray();
    }

    private static void writeJsonValue(JsonGenerator g, KeyColumn c, String text) throws IOException {
        requireWritable(c);
        switch (c.connectType()) {
            case "int8", "int16", "int32", "int64" -> g.writeNumber(integer(c, text, Long.MIN_VALUE, Long.MAX_VALUE));
            case "boolean" -> g.writeBoolean(parseBoolean(c, text));
            default -> g.writeString(text);
        }
    }

    private static void requireWritable(KeyColumn c) {
        if (!c.writable()) {
            throw new IllegalArgumentException("key column " + c.name() + " travels as " + c.connectType()
                    + (c.semanticName().isEmpty() ? "" : " (" + c.semanticName() + ")")
                    + ", which lookups by key do not support");
        }
    }

    private static long integer(KeyColumn c, String text, long min, long max) {
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("key column " + c.name() + " is an integer, not '" + text + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("key column " + c.name() + " is an " + c.connectType() + ", and " + text + " is out of its range");
        }
        return v;
    }

    private static boolean parseBoolean(KeyColumn c, String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "t", "true" -> true;
            case "f", "false" -> false;
            default -> throw new IllegalArgumentException("key column " + c.name() + " is a boolean, not '" + text + "'");
        };
    }

    /** Whether writing {@code values} gives exactly {@code recordKey}: the check before an encoding is trusted. */
    public boolean matches(List<String> values, byte[] recordKey) {
        try {
            return Arrays.equals(recordKey(values), recordKey);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The partition capture's producer (Kafka's default partitioner) puts this key in. */
    public static int partition(byte[] recordKey, int partitions) {
        return Utils.toPositive(Utils.murmur2(recordKey)) % partitions;
    }

    public List<String> columnNames() {
        return columns.stream().map(KeyColumn::name).toList();
    }
}
