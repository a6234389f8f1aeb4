package dev.replog.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

/**
 * Times the tree decoder against the streamed one over bench-shaped insert events (columns id bigint,
 * account int, amount numeric(12,2), note text, created_at timestamptz), as capture writes them: the
 * envelope of golden/c-create.json with these columns. Not a test: run it by hand from the schemas
 * directory, on a quiet machine, and read the figures.
 * {@code java -cp target/classes:target/test-classes:<jackson> dev.replog.schemas.StreamedDecodeTiming [events] [rounds]}
 */
public final class StreamedDecodeTiming {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ThreadMXBean THREAD = ManagementFactory.getThreadMXBean();
    /** Distinct events, decoded over and over: enough that the values vary, few enough to stay in memory. */
    private static final int DISTINCT = 10_000;

    private StreamedDecodeTiming() {
    }

    public static void main(String[] args) throws IOException {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        byte[][] keys = new byte[DISTINCT][];
        byte[][] values = new byte[DISTINCT][];
        build(keys, values);
        EnvelopeDecoder tree = new EnvelopeDecoder();
        EnvelopeDecoder streamed = new EnvelopeDecoder();
        for (int round = 1; round <= rounds; round++) {
            long treeNanos = time(events, keys, values, tree, true);
            long streamedNanos = time(events, keys, values, streamed, false);
            System.out.printf("round %d: tree %.0f ns/event, streamed %.0f ns/event (CPU time), %.2fx%n", round,
                    (double) treeNanos / events, (double) streamedNanos / events, (double) treeNanos / streamedNanos);
        }
    }

    private static long time(int events, byte[][] keys, byte[][] values, EnvelopeDecoder decoder, boolean tree) {
        long columns = 0;
        // CPU time of this thread: the machine is shared, and waiting for a core is not decoding.
        long start = THREAD.getCurrentThreadCpuTime();
        for (int i = 0; i < events; i++) {
            int e = i % DISTINCT;
            ChangeEvent event = tree ? decoder.decodeTree(keys[e], values[e]) : decoder.decode(keys[e], values[e]);
            columns += ((RowChange) event).after().values().size();
        }
        long nanos = THREAD.getCurrentThreadCpuTime() - start;
        if (columns != 5L * events) {
            throw new IllegalStateException("decoded " + columns + " columns");
        }
        return nanos;
    }

    private static void build(byte[][] keys, byte[][] values) throws IOException {
        JsonNode golden = JSON.readTree(Path.of("golden", "c-create.json").toFile());
        ObjectNode value = golden.get("value").deepCopy();
        ArrayNode columns = JSON.createArrayNode()
                .add(field("int64", null, "INT8", "19", "id", false))
                .add(field("int32", null, "INT4", "10", "account", true))
                .add(field("string", null, "NUMERIC", "12", "amount", true))
                .add(field("string", null, "TEXT", "2147483647", "note", true))
                .add(field("string", "io.debezium.time.ZonedTimestamp", "TIMESTAMPTZ", "35", "created_at", true));
        for (JsonNode f : value.get("schema").get("fields")) {
            if (f.get("field").asText().equals("before") || f.get("field").asText().equals("after")) {
                ((ObjectNode) f).set("fields", columns);
            }
        }
        ObjectNode key = golden.get("key").deepCopy();
        ((ArrayNode) key.get("schema").get("fields")).removeAll().add(field("int64", null, "INT8", "19", "id", false));
        ObjectNode payload = (ObjectNode) value.get("payload");
        ObjectNode source = (ObjectNode) payload.get("source");
        Random r = new Random(1);
        long lsn = 0x1_6B37_4D48L;
        for (int i = 0; i < keys.length; i++) {
            long id = 1_000_000L + i;
            long millis = 1_763_800_000_000L + i * 7L;
            ((ObjectNode) key.get("payload")).removeAll().put("id", id);
            payload.putObject("after").put("id", id).put("account", r.nextInt(100_000))
                    .put("amount", String.format("%d.%02d", r.nextInt(1_000_000), r.nextInt(100)))
                    .put("note", "note " + Long.toHexString(r.nextLong()))
                    .put("created_at", Instant.ofEpochMilli(millis).plusNanos(r.nextInt(1000) * 1000L).toString());
            lsn += 200 + r.nextInt(100);
            source.put("ts_ms", millis).put("ts_us", millis * 1000).put("ts_ns", millis * 1_000_000)
                    .put("sequence", "[\"" + (lsn - 1000) + "\",\"" + lsn + "\"]").put("schema", "public").put("table", "bench")
                    .put("txId", 800_000 + i).put("lsn", lsn).put("name", "bench").put("db", "leader");
            payload.put("op", "c").put("ts_ms", millis + 5).put("ts_us", (millis + 5) * 1000).put("ts_ns", (millis + 5) * 1_000_000);
            ((ObjectNode) payload.get("transaction")).put("id", (800_000 + i) + ":" + lsn);
            keys[i] = JSON.writeValueAsBytes(key);
            values[i] = JSON.writeValueAsBytes(value);
        }
    }

    private static ObjectNode field(String type, String name, String sourceType, String length, String column, boolean optional) {
        ObjectNode f = JSON.createObjectNode().put("type", type).put("optional", optional);
        if (name != null) {
            f.put("name", name);
            f.put("version", 1);
        }
        f.putObject("parameters").put("__debezium.source.column.type", sourceType).put("__debezium.source.column.length", length)
                .put("__debezium.source.column.scale", sourceType.equals("NUMERIC") ? "2" : "0").put("__debezium.source.column.name", column);
        return f.put("field", column);
    }
}
