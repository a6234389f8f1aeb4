package dev.replog.schemas.compact;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.schemas.EnvelopeDecoder;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;

/**
 * Times the applier's decoding of bench insert events (those of {@link CompactSizeTest}) in both
 * formats: EnvelopeDecoder on JSON with schema (its streamed path) against CompactEventDecoder. Not a
 * test: run it by hand from the schemas directory, on a quiet machine, and read the figures.
 * {@code java -cp target/classes:target/test-classes:<deps> dev.replog.schemas.compact.CompactDecodeTiming [events] [rounds]}
 */
public final class CompactDecodeTiming {

    private static final ThreadMXBean THREAD = ManagementFactory.getThreadMXBean();
    private static final int DISTINCT = 10_000;

    private CompactDecodeTiming() {
    }

    public static void main(String[] args) throws IOException {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), false);
        JsonConverter jsonKeys = new JsonConverter();
        jsonKeys.configure(Map.of("schemas.enable", "true"), true);
        Schema envelope = json.asConnectSchema(CompactSizeTest.benchEnvelopeSchema());
        Schema keySchema = jsonKeys.asConnectSchema(new ObjectMapper().readTree("{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\","
                + "\"optional\":false,\"field\":\"id\"}],\"optional\":false,\"name\":\"k\"}"));
        InMemorySchemas store = new InMemorySchemas();
        ReplogCompactConverter compactValues = new ReplogCompactConverter(store);
        compactValues.configure(Map.of(), false);
        ReplogCompactConverter compactKeys = new ReplogCompactConverter(store);
        compactKeys.configure(Map.of(), true);
        byte[][] jk = new byte[DISTINCT][];
        byte[][] jv = new byte[DISTINCT][];
        byte[][] ck = new byte[DISTINCT][];
        byte[][] cv = new byte[DISTINCT][];
        for (int i = 0; i < DISTINCT; i++) {
            Struct value = CompactSizeTest.benchEvent(envelope, 1_000_000 + i);
            Struct key = new Struct(keySchema).put("id", 1_000_000L + i);
            jk[i] = jsonKeys.fromConnectData("t", keySchema, key);
            jv[i] = json.fromConnectData("t", envelope, value);
            ck[i] = compactKeys.fromConnectData("t", keySchema, key);
            cv[i] = compactValues.fromConnectData("t", envelope, value);
        }
        EnvelopeDecoder jsonDecoder = new EnvelopeDecoder();
        CompactEventDecoder compactDecoder = new CompactEventDecoder(store);
        for (int round = 1; round <= rounds; round++) {
            long t0 = THREAD.getCurrentThreadCpuTime();
            for (int i = 0; i < events; i++) {
                jsonDecoder.decode(jk[i % DISTINCT], jv[i % DISTINCT]);
            }
            long t1 = THREAD.getCurrentThreadCpuTime();
            for (int i = 0; i < events; i++) {
                compactDecoder.decode(ck[i % DISTINCT], cv[i % DISTINCT]);
            }
            long t2 = THREAD.getCurrentThreadCpuTime();
            System.out.printf("round %d: JSON with schema (streamed) %.2f µs, compact %.2f µs of CPU per event%n", round,
                    (t1 - t0) / 1000.0 / events, (t2 - t1) / 1000.0 / events);
        }
    }
}
