package dev.replog.schemas.compact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Capture's envelope schema (that of schemas/golden/c-create.json) for a table of other columns, as JSON. */
final class GoldenEnvelope {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GoldenEnvelope() {
    }

    static JsonNode withColumns(String topic, List<ObjectNode> columns) throws IOException {
        JsonNode golden = JSON.readTree(Files.readString(Path.of("golden", "c-create.json"))).get("value").get("schema");
        ObjectNode schema = (ObjectNode) JSON.readTree(JSON.writeValueAsString(golden).replace("<prefix>.public.golden", topic));
        for (JsonNode field : schema.get("fields")) {
            String name = field.get("field").asText();
            if (name.equals("before") || name.equals("after")) {
                ArrayNode fields = ((ObjectNode) field).putArray("fields");
                columns.forEach(fields::add);
            }
        }
        return schema;
    }

    /** A column's field schema as Debezium writes it, with the leader's type in its parameters. */
    static ObjectNode column(String name, String type, String logical, boolean optional, String pgType, int length, int scale) {
        ObjectNode c = JSON.createObjectNode().put("type", type).put("optional", optional);
        if (logical != null) {
            c.put("name", logical).put("version", 1);
        }
        c.putObject("parameters").put("__debezium.source.column.type", pgType)
                .put("__debezium.source.column.length", Integer.toString(length))
                .put("__debezium.source.column.scale", Integer.toString(scale))
                .put("__debezium.source.column.name", name);
        return c.put("field", name);
    }
}
