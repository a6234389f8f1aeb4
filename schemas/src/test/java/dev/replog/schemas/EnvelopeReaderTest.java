package dev.replog.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reader's parts are what a tree parse of the whole record gives, however the record is laid out. */
class EnvelopeReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = """
            {"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"double","optional":true,"field":"x"}],"name":"t.Value"}""";
    private static final String OTHER_SCHEMA = """
            {"type":"struct","fields":[{"type":"string","optional":true,"field":"s"}],"name":"u.Value"}""";

    private final EnvelopeReader reader = new EnvelopeReader(JSON);

    @Test
    void everyLayoutGivesTheTreeParsesParts() throws Exception {
        List<String> records = List.of(
                "{\"schema\":" + SCHEMA + ",\"payload\":{\"id\":1,\"x\":-0.0}}",
                "{\"schema\":" + SCHEMA + ",\"payload\":{\"id\":2,\"x\":1.5e300}}",
                "{\"schema\":" + OTHER_SCHEMA + ",\"payload\":{\"s\":\"a}\\\"b\"}}",
                "{\"schema\":" + SCHEMA + ",\"payload\":{\"id\":3,\"x\":null}}",
                "{\"payload\":{\"id\":4},\"schema\":" + SCHEMA + "}",
                "{ \"schema\" : " + SCHEMA + " , \"payload\" : {\"id\":5} }",
                "{\"schema\":null,\"payload\":{\"id\":6}}",
                "{\"schema\":" + SCHEMA + ",\"payload\":null}",
                "{\"schema\":" + SCHEMA + "}",
                "{\"schema\":" + SCHEMA + ",\"payload\":{\"id\":7},\"extra\":[1,{\"a\":2}]}",
                "{\"schema\":" + SCHEMA + ",\"payload\":{\"id\":8}} ",
                "[1,2]",
                "");
        for (String r : records) {
            JsonNode whole = JSON.readTree(r);
            EnvelopeReader.Parts parts = reader.read(r.getBytes(StandardCharsets.UTF_8), "value");
            assertEquals(whole.path("schema"), parts.schema(), r);
            assertEquals(whole.path("payload"), parts.payload(), r);
        }
    }

    @Test
    void oneSchemaIsParsedOnce() {
        JsonNode first = reader.read(("{\"schema\":" + SCHEMA + ",\"payload\":{\"id\":1}}").getBytes(StandardCharsets.UTF_8), "value").schema();
        reader.read(("{\"schema\":" + OTHER_SCHEMA + ",\"payload\":{\"s\":\"x\"}}").getBytes(StandardCharsets.UTF_8), "value");
        JsonNode again = reader.read(("{\"schema\":" + SCHEMA + ",\"payload\":{\"id\":2}}").getBytes(StandardCharsets.UTF_8), "value").schema();
        JsonNode third = reader.read(("{\"schema\":" + SCHEMA + ",\"payload\":{\"id\":3}}").getBytes(StandardCharsets.UTF_8), "value").schema();
        assertSame(first, again);
        assertSame(first, third);
    }

    @Test
    void aKnownSchemaFollowedByBrokenJsonIsAFormatError() {
        reader.read(("{\"schema\":" + SCHEMA + ",\"payload\":{\"id\":1}}").getBytes(StandardCharsets.UTF_8), "value");
        EventFormatException e = assertThrows(EventFormatException.class,
                () -> reader.read(("{\"schema\":" + SCHEMA + ",\"payload\":{\"id\":}").getBytes(StandardCharsets.UTF_8), "value"));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }
}
