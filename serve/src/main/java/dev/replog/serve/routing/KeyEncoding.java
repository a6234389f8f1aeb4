package dev.replog.serve.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.common.utils.Utils;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * How capture writes one table's record keys, learnt from a key it wrote: Kafka's JsonConverter
 * with the schema embedded, {@code {"schema":<schema>,"payload":{"<column>":<value>,...}}}. From
 * primary-key values in PostgreSQL's text form it writes the exact bytes capture would, and so finds
 * the partition capture's producer chose for them: murmur2 of those bytes, as Kafka's default
 * partitioner does. A different byte anywhere sends a read to the wrong partition without an error,
 * which is why {@link #matches} checks an encoding against real keys before it is trusted.
 *
 * @param schemaJson the key's {@code schema} part, byte for byte as capture wrote it
 * @param columns    key columns in key order, each with its Kafka Connect type
 */
public record KeyEncoding(byte[] schemaJson, List<KeyColumn> columns) {

    /** A key column and how its value is written: a JSON number, boolean or string. */
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

    /** The encoding of a record key capture wrote; null if the key is not laid out as JsonConverter writes it. */
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
            byte[] schema = Arrays.copyOfRange(recordKey, SCHEMA_FIELD.length, end);
            JsonNode tree = JSON.readTree(schema);
            List<KeyColumn> columns = new ArrayList<>();
            for (JsonNode f : tree.path("fields")) {
                columns.add(new KeyColumn(f.path("field").asText(), f.path("type").asText(), f.path("name").asText("")));
            }
            return columns.isEmpty() ? null : new KeyEncoding(schema, List.copyOf(columns));
        } catch (IOException e) {
            return null;
        }
    }

    /** The encoding of a key schema (the {@code schema} part of a key, as {@code /v1/metadata} gives it). */
    public static KeyEncoding fromSchema(byte[] schemaJson) {
        byte[] key = new byte[SCHEMA_FIELD.length + schemaJson.length + 1];
        System.arraycopy(SCHEMA_FIELD, 0, key, 0, SCHEMA_FIELD.length);
        System.arraycopy(schemaJson, 0, key, SCHEMA_FIELD.length, schemaJson.length);
        key[key.length - 1] = '}';
        return of(key);
    }

    /** Whether {@code recordKey} was written under this encoding's schema. */
    public boolean sameSchema(byte[] recordKey) {
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
        ByteArrayOutputStream out = new ByteArrayOutputStream(schemaJson.length + 64);
        out.writeBytes(SCHEMA_FIELD);
        out.writeBytes(schemaJson);
        out.writeBytes(PAYLOAD_FIELD);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            for (int i = 0; i < columns.size(); i++) {
                KeyColumn c = columns.get(i);
                g.writeFieldName(c.name());
                writeValue(g, c, values.get(i));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('}');
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator g, KeyColumn c, String text) throws IOException {
        if (!c.writable()) {
            throw new IllegalArgumentException("key column " + c.name() + " travels as " + c.connectType()
                    + (c.semanticName().isEmpty() ? "" : " (" + c.semanticName() + ")")
                    + ", which lookups by key do not support");
        }
        switch (c.connectType()) {
            case "int8", "int16", "int32", "int64" -> {
                try {
                    g.writeNumber(Long.parseLong(text.trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("key column " + c.name() + " is an integer, not '" + text + "'");
                }
            }
            case "boolean" -> g.writeBoolean(parseBoolean(c, text));
            default -> g.writeString(text);
        }
    }

    private static boolean parseBoolean(KeyColumn c, String text) {
        return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
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
