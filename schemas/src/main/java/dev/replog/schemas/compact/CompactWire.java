package dev.replog.schemas.compact;

import dev.replog.schemas.EventFormatException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The frame of every non-null key and value in the compact format: one magic byte, the schema id
 * (8 bytes, big-endian), then the body: the value in the compact binary encoding of that schema, or,
 * with id 0, the schemaless payload as JSON text (Replog's own records: watermarks, schema changes).
 */
public final class CompactWire {

    /**
     * 0xC1 is never the first byte of JSON text (it is not even valid UTF-8), so a reader of a log
     * holding both formats tells them apart by the first byte.
     */
    public static final byte MAGIC = (byte) 0xC1;
    public static final int HEADER = 9;
    /** The {@code replog.format} header of a compact record. */
    public static final String FORMAT_VERSION = "compact-1";
    private static final byte[] SCHEMALESS_HEAD = "{\"schema\":null,\"payload\":".getBytes(StandardCharsets.US_ASCII);

    private CompactWire() {
    }

    public static boolean isCompact(byte[] record) {
        return record != null && record.length > 0 && record[0] == MAGIC;
    }

    /** @param what "key" or "value", for the message */
    public static SchemaId schemaId(byte[] record, String what) {
        if (record.length < HEADER || record[0] != MAGIC) {
            throw new EventFormatException("record " + what + " is not in the compact format (no 0xC1 byte and schema id)");
        }
        long id = 0;
        for (int i = 1; i < HEADER; i++) {
            id = id << 8 | (record[i] & 0xFF);
        }
        return new SchemaId(id);
    }

    /**
     * One of Replog's own records without a Connect schema (watermark, copy start, schema change),
     * given as the JSON format writes it ({@code {"schema":null,"payload":<payload>}}): its payload
     * after the frame with id 0, the bytes {@link CompactRecord} writes for a schemaless value.
     */
    public static byte[] schemaless(byte[] jsonEnvelope) {
        int from = SCHEMALESS_HEAD.length;
        int to = jsonEnvelope.length - 1;
        if (to <= from || jsonEnvelope[to] != '}' || !Arrays.equals(jsonEnvelope, 0, from, SCHEMALESS_HEAD, 0, from)) {
            throw new IllegalArgumentException("not a schemaless JSON envelope: "
                    + new String(jsonEnvelope, 0, Math.min(60, jsonEnvelope.length), StandardCharsets.UTF_8));
        }
        byte[] framed = new byte[HEADER + to - from];
        framed[0] = MAGIC;
        System.arraycopy(jsonEnvelope, from, framed, HEADER, to - from);
        return framed;
    }

    static void writeHeader(BinaryOut out, SchemaId id) {
        out.writeByte(MAGIC);
        out.writeFixed64(id.value());
    }
}
