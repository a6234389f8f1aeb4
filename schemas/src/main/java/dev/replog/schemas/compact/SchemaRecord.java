package dev.replog.schemas.compact;

import java.nio.charset.StandardCharsets;

/**
 * A record of the schemas topic ({@code <prefix>.schemas}, compacted): key the id's 16 hex digits,
 * value the schema's JSON exactly as Kafka's JsonConverter writes a schema (the {@code schema} part
 * of a JSON-with-schema record), from which the id is computed.
 */
public record SchemaRecord(SchemaId id, byte[] json) {

    public static SchemaRecord of(byte[] json) {
        return new SchemaRecord(SchemaId.of(json), json);
    }

    public byte[] key() {
        return id.hex().getBytes(StandardCharsets.UTF_8);
    }
}
