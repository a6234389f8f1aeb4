package dev.replog.schemas;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * How a {@link Watermark} is written into every partition of a table topic: no key, and a value
 * shaped like the envelope ({@code {"schema":null,"payload":{"op":"replog.watermark","source":
 * {"lsn":...,"ts_ms":...}}}}) so that a consumer that reads {@code op} first can tell it apart, with
 * headers {@link LogHeaders#FORMAT}, {@link LogHeaders#LSN} and {@link LogHeaders#WATERMARK} (both the
 * watermark's LSN), so that Replog's appliers recognise it without reading the value.
 */
public final class WatermarkFormat {

    /** The envelope {@code op} of a watermark; Debezium's ops are single letters. */
    public static final String OP = "replog.watermark";

    private WatermarkFormat() {
    }

    public static byte[] write(Lsn lsn, Instant commitTime) {
        // Two numbers: written by hand rather than through a tree, once per partition every interval.
        return ("{\"schema\":null,\"payload\":{\"op\":\"" + OP + "\",\"source\":{\"lsn\":" + lsn.value()
                + ",\"ts_ms\":" + commitTime.toEpochMilli() + "}}}").getBytes(StandardCharsets.UTF_8);
    }

    /** @param source the payload's {@code source} object */
    static Watermark read(JsonNode source) {
        JsonNode lsn = source.get("lsn");
        try {
            // Number or text, as the other events' source.lsn is read.
            long value = Long.parseLong(lsn == null || lsn.isNull() ? "" : lsn.asText());
            return new Watermark(new Lsn(value), Instant.ofEpochMilli(source.path("ts_ms").asLong(0)));
        } catch (NumberFormatException e) {
            throw new EventFormatException("watermark has no numeric 'source.lsn'");
        }
    }
}
