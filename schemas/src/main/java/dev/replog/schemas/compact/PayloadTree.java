package dev.replog.schemas.compact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.replog.schemas.EventFormatException;

import java.util.Base64;

/**
 * A compact value read by its schema's JSON (no Kafka Connect) into the tree Jackson would parse from
 * what JsonConverter writes for it with schemas disabled: the payload the applier decodes today, so
 * {@code EnvelopeDecoder.decodePayload} turns it into the same event. Bytes and Connect Decimals
 * become base64 text, non-finite floats the text JsonConverter quotes them as, a float32 the double
 * its shortest text reads as.
 */
final class PayloadTree {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String DECIMAL = "org.apache.kafka.connect.data.Decimal";

    private PayloadTree() {
    }

    static JsonNode read(BinaryIn in, JsonNode schema) {
        if (schema.path("optional").asBoolean(false) && !in.readPresence()) {
            return NullNode.getInstance();
        }
        String type = schema.path("type").asText("");
        if (DECIMAL.equals(schema.path("name").asText(null))) {
            return TextNode.valueOf(Base64.getEncoder().encodeToString(in.readBytes()));
        }
        return switch (type) {
            case "int8" -> IntNode.valueOf(in.readByte());
            case "int16", "int32" -> IntNode.valueOf((int) in.readSigned());
            case "int64" -> number(in.readSigned());
            case "float" -> {
                float f = Float.intBitsToFloat(in.readFixed32());
                yield Float.isFinite(f) ? DoubleNode.valueOf(Double.parseDouble(Float.toString(f))) : TextNode.valueOf(Float.toString(f));
            }
            case "double" -> {
                double d = Double.longBitsToDouble(in.readFixed64());
                yield Double.isFinite(d) ? DoubleNode.valueOf(d) : TextNode.valueOf(Double.toString(d));
            }
            case "boolean" -> BooleanNode.valueOf(in.readByte() != 0);
            case "string" -> TextNode.valueOf(in.readString());
            case "bytes" -> TextNode.valueOf(Base64.getEncoder().encodeToString(in.readBytes()));
            case "array" -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = in.readCount(); i > 0; i--) {
                    array.add(read(in, schema.path("items")));
                }
                yield array;
            }
            case "map" -> map(in, schema);
            case "struct" -> {
                ObjectNode struct = NODES.objectNode();
                for (JsonNode field : schema.path("fields")) {
                    struct.set(field.path("field").asText(), read(in, field));
                }
                yield struct;
            }
            default -> throw new EventFormatException("compact record: schema type '" + type + "' is not a Connect type");
        };
    }

    /** As JsonConverter writes a map: an object if its keys are strings, else an array of [key, value] pairs. */
    private static JsonNode map(BinaryIn in, JsonNode schema) {
        JsonNode keys = schema.path("keys");
        JsonNode values = schema.path("values");
        int n = in.readCount();
        if (keys.path("type").asText("").equals("string")) {
            ObjectNode object = NODES.objectNode();
            for (int i = 0; i < n; i++) {
                JsonNode key = read(in, keys);
                object.set(key.asText(), read(in, values));
            }
            return object;
        }
        ArrayNode pairs = NODES.arrayNode();
        for (int i = 0; i < n; i++) {
            ArrayNode pair = pairs.addArray();
            pair.add(read(in, keys));
            pair.add(read(in, values));
        }
        return pairs;
    }

    /** As Jackson parses an integer: an int node where it fits. */
    private static JsonNode number(long v) {
        return v == (int) v ? IntNode.valueOf((int) v) : LongNode.valueOf(v);
    }
}
