package dev.replog.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a {@link CompleteCopy} is written to {@code <prefix>.copies}: key the table's quoted name as text
 * ({@code "public"."orders"}, unambiguous, so compaction keeps one record per table), value
 * {@code {"op":"replog.copy","table":{"schema":..,"table":..},"copy_id":..,"topic":..,
 * "start_offsets":{"0":12,...},"start_lsn":..,"end_lsn":..,"completed_ts_ms":..}}, LSNs as numbers.
 */
public final class CompleteCopyFormat {

    public static final String OP = "replog.copy";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CompleteCopyFormat() {
    }

    public static byte[] key(TableId table) {
        return SqlIdentifiers.quote(table).getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] write(CompleteCopy copy) {
        ObjectNode v = JSON.createObjectNode();
        v.put("op", OP);
        ObjectNode table = v.putObject("table");
        table.put("schema", copy.table().schema());
        table.put("table", copy.table().table());
        v.put("copy_id", copy.copyId());
        v.put("topic", copy.topic());
        ObjectNode offsets = v.putObject("start_offsets");
        copy.startOffsets().forEach((p, o) -> offsets.put(Integer.toString(p), o));
        v.put("start_lsn", copy.startLsn().value());
        v.put("end_lsn", copy.endLsn().value());
        v.put("completed_ts_ms", copy.completedAt().toEpochMilli());
        try {
            return JSON.writeValueAsBytes(v);
        } catch (IOException e) {
            throw new IllegalStateException("a tree of text and numbers always serializes", e);
        }
    }

    public static CompleteCopy read(byte[] value) {
        try {
            JsonNode v = JSON.readTree(value);
            if (v == null || !OP.equals(v.path("op").asText())) {
                throw new EventFormatException("not a copy record: op is not " + OP);
            }
            Map<Integer, Long> offsets = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = v.path("start_offsets").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                offsets.put(Integer.parseInt(e.getKey()), e.getValue().asLong());
            }
            return CompleteCopy.of(new TableId(v.path("table").path("schema").asText(), v.path("table").path("table").asText()),
                    v.path("copy_id").asText(), v.path("topic").asText(), offsets, new Lsn(v.path("start_lsn").asLong()),
                    new Lsn(v.path("end_lsn").asLong()), Instant.ofEpochMilli(v.path("completed_ts_ms").asLong()));
        } catch (IOException | NumberFormatException e) {
            throw new EventFormatException("copy record is not readable: " + e.getMessage());
        }
    }
}
