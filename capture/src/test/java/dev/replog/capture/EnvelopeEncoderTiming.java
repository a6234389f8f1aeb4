package dev.replog.capture;

import io.debezium.data.Envelope;
import io.debezium.schema.SchemaFactory;
import io.debezium.time.ZonedTimestamp;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * Not a test: a rough single-threaded check of what the payload writer saves per event of the bench
 * table's shape, against the path before it (the converter's payload after the cached schema head),
 * in CPU time of the one thread.
 * Run by hand: {@code java -cp <test classpath> dev.replog.capture.EnvelopeEncoderTiming [events]}.
 */
final class EnvelopeEncoderTiming {

    /** CPU time of this thread, not wall time: the machine is shared, and CPU is what capture is short of. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private EnvelopeEncoderTiming() {
    }

    public static void main(String[] args) {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Schema row = SchemaBuilder.struct().name("p.public.bench.Value").optional()
                .field("id", column(SchemaBuilder.int64(), "INT8"))
                .field("account", column(SchemaBuilder.int32(), "INT4"))
                .field("amount", column(SchemaBuilder.string(), "NUMERIC"))
                .field("note", column(SchemaBuilder.string().optional(), "TEXT"))
                .field("created_at", column(ZonedTimestamp.builder(), "TIMESTAMPTZ"))
                .build();
        Schema source = PayloadWriterTest.postgresSource();
        Schema tx = SchemaFactory.get().transactionBlockSchema();
        Envelope envelope = Envelope.defineSchema().withName("p.public.bench.Envelope").withRecord(row).withSource(source)
                .withTransaction(tx).build();
        Struct[] values = new Struct[1024];
        for (int i = 0; i < values.length; i++) {
            long id = 1_000_000L + i;
            Struct after = new Struct(row).put("id", id).put("account", (int) (id % 1000))
                    .put("amount", String.valueOf((id % 100_000) / 100.0)).put("note", "row " + id + " written by replog bench")
                    .put("created_at", "2026-11-22T06:48:28.123456Z");
            Struct src = new Struct(source).put("version", "3.6.3.Final").put("connector", "postgresql").put("name", "p")
                    .put("ts_ms", 1_700_000_000_000L + i).put("db", "leader").put("sequence", "[\"24023128\",\"" + (24_023_184 + i) + "\"]")
                    .put("ts_us", 1_700_000_000_000_000L + i).put("ts_ns", 1_700_000_000_000_000_000L + i)
                    .put("schema", "public").put("table", "bench").put("txId", 555L).put("lsn", 24_023_184L + i);
            values[i] = envelope.create(after, src, Instant.ofEpochSecond(1_700_000_000L, i))
                    .put("transaction", new Struct(tx).put("id", "555:24023184").put("total_order", (long) i + 1)
                            .put("data_collection_order", (long) i + 1));
        }
        Schema schema = envelope.schema();
        EnvelopeEncoder encoder = new EnvelopeEncoder(false);
        JsonConverter full = new JsonConverter();
        full.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), false);
        JsonConverter payloadOnly = new JsonConverter();
        payloadOnly.configure(Map.of("schemas.enable", "false", "replace.null.with.default", "false"), false);
        byte[] head = EnvelopeEncoder.head(full.fromConnectData("t", schema, values[0]), payloadOnly.fromConnectData("t", schema, values[0]));
        if (!Arrays.equals(full.fromConnectData("t", schema, values[1]), encoder.encode("t", schema, values[1]))) {
            throw new AssertionError("the encoder's bytes are not the converter's");
        }
        PayloadWriter writer = new PayloadWriter();
        byte[] none = new byte[0];
        System.out.printf("%d events of %d bytes, payload %d bytes%n", events, encoder.encode("t", schema, values[0]).length,
                writer.write(none, schema, values[0], none).length);
        for (int round = 0; round < 4; round++) {
            long sink = 0;
            long start = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < events; i++) {
                byte[] payload = payloadOnly.fromConnectData("t", schema, values[i & 1023]);
                byte[] out = Arrays.copyOf(head, head.length + payload.length + 1);
                System.arraycopy(payload, 0, out, head.length, payload.length);
                sink += out.length;
            }
            long converterEnvelope = CPU.getCurrentThreadCpuTime() - start;
            start = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < events; i++) {
                sink += encoder.encode("t", schema, values[i & 1023]).length;
            }
            long writerEnvelope = CPU.getCurrentThreadCpuTime() - start;
            start = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < events; i++) {
                sink += payloadOnly.fromConnectData("t", schema, values[i & 1023]).length;
            }
            long converterPayload = CPU.getCurrentThreadCpuTime() - start;
            start = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < events; i++) {
                sink += writer.write(none, schema, values[i & 1023], none).length;
            }
            long writerPayload = CPU.getCurrentThreadCpuTime() - start;
            System.out.printf("round %d: envelope %.0f -> %.0f ns/event (%.2fx), payload alone %.0f -> %.0f ns/event (%.2fx) [%d]%n",
                    round, perEvent(converterEnvelope, events), perEvent(writerEnvelope, events),
                    converterEnvelope / (double) writerEnvelope, perEvent(converterPayload, events),
                    perEvent(writerPayload, events), converterPayload / (double) writerPayload, sink % 10);
        }
    }

    private static double perEvent(long nanos, int events) {
        return nanos / (double) events;
    }

    private static Schema column(SchemaBuilder b, String type) {
        return b.parameter("__debezium.source.column.type", type).parameter("__debezium.source.column.length", "10")
                .parameter("__debezium.source.column.scale", "0").build();
    }
}
