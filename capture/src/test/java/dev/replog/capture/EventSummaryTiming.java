package dev.replog.capture;

import io.debezium.data.Envelope;
import io.debezium.pipeline.meters.CommonEventMeter;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.relational.TableId;
import io.debezium.util.Clock;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;

/**
 * Not a test: what Debezium's per-event JMX summary string costs on one thread, in CPU time per event
 * of the bench table's shape (key {@code id bigint}): the streaming metrics' common meter as Debezium
 * 3.6.3 wires it, against the same meter whose provider returns a constant summary (what the meter
 * would cost if Debezium built the string only when JMX asks for it).
 * Run by hand: {@code java -cp <test classpath> dev.replog.capture.EventSummaryTiming [events]}.
 */
final class EventSummaryTiming {

    /** CPU time of this thread, not wall time: the machine is shared, and CPU is what capture is short of. */
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private EventSummaryTiming() {
    }

    public static void main(String[] args) throws ReflectiveOperationException {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        EventMetadataProvider postgres = DebeziumEventSummaryTest.postgresEventMetadataProvider();
        CommonEventMeter asWired = new CommonEventMeter(Clock.SYSTEM, postgres);
        CommonEventMeter withoutSummary = new CommonEventMeter(Clock.SYSTEM, new EventSummaryShortcut.TableNameSummary(postgres));
        Schema key = SchemaBuilder.struct().name("p.public.bench.Key").field("id", Schema.INT64_SCHEMA).build();
        Schema row = SchemaBuilder.struct().name("p.public.bench.Value").optional().field("id", Schema.INT64_SCHEMA).build();
        Schema source = PayloadWriterTest.postgresSource();
        Envelope envelope = Envelope.defineSchema().withName("p.public.bench.Envelope").withRecord(row).withSource(source).build();
        TableId bench = new TableId("leader", "public", "bench");
        Struct[] keys = new Struct[1024];
        Struct[] values = new Struct[keys.length];
        for (int i = 0; i < keys.length; i++) {
            long id = 1_000_000L + i;
            keys[i] = new Struct(key).put("id", id);
            Struct src = new Struct(source).put("version", "3.6.3.Final").put("connector", "postgresql").put("name", "p")
                    .put("ts_ms", 1_700_000_000_000L + i).put("db", "leader").put("schema", "public").put("table", "bench")
                    .put("txId", 555L).put("lsn", 24_023_184L + i);
            values[i] = envelope.create(new Struct(row).put("id", id), src, Instant.EPOCH);
        }
        for (int round = 0; round < 5; round++) {
            long wired = run(asWired, bench, keys, values, events);
            long without = run(withoutSummary, bench, keys, values, events);
            System.out.printf("round %d: onEvent %.0f ns/event as wired, %.0f ns/event with a constant summary (%s)%n",
                    round, wired / (double) events, without / (double) events, asWired.getLastEvent());
        }
    }

    private static long run(CommonEventMeter meter, TableId table, Struct[] keys, Struct[] values, int events) {
        long start = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < events; i++) {
            meter.onEvent(table, null, keys[i & 1023], values[i & 1023], Envelope.Operation.CREATE);
        }
        return CPU.getCurrentThreadCpuTime() - start;
    }
}
