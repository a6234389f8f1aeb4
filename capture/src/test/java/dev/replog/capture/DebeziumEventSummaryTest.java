package dev.replog.capture;

import io.debezium.connector.postgresql.Module;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.data.Envelope;
import io.debezium.pipeline.meters.CommonEventMeter;
import io.debezium.pipeline.source.spi.EventMetadataProvider;
import io.debezium.relational.TableId;
import io.debezium.util.Clock;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pins what docs/benchmark.md says about Debezium's per-event JMX summary string ("lastEvent" of the
 * streaming metrics): about a fifth of Debezium's streaming thread in a bulk insert, built eagerly for
 * every event, with no setting to turn it off. Debezium 3.7 makes it cheap (debezium/dbz#2492) but cannot
 * be had with our embedded engine yet, so Replog carries a version-guarded shortcut,
 * {@link EventSummaryShortcut} (proven on a running capture by {@code EventSummaryShortcutTest}).
 * When one of these fails, Debezium changed: re-check that section, re-profile
 * ({@code replog bench --only insert --profile}), and update it and this test.
 */
class DebeziumEventSummaryTest {

    static final String MEASURED_DEBEZIUM = "3.6.3.Final";

    @Test
    void debeziumIsTheReleaseWhoseEventSummaryWasProfiled() {
        assertEquals(MEASURED_DEBEZIUM, Module.version(),
                "Debezium changed: re-check docs/benchmark.md 'Debezium's per-event JMX summary string'");
    }

    @Test
    void noDebeziumSettingTurnsTheStreamingMetricsOff() {
        Set<String> metricSettings = new TreeSet<>();
        for (String name : PostgresConnectorConfig.configDef().names()) {
            if (name.contains("metric") || name.contains("jmx") || name.contains("mbean")) {
                metricSettings.add(name);
            }
        }
        // custom.metric.tags only renames the MBean, internal.advanced.metrics.enable adds per-event work,
        // statistics.metrics.enabled only drops the lag quantiles: none skips the summary.
        assertEquals(Set.of("internal.advanced.metrics.enable", "custom.metric.tags", "statistics.metrics.enabled"), metricSettings,
                "a new Debezium metrics setting: does it skip the per-event summary string?");
    }

    @Test
    void theStreamingMetricsRenderTheKeyOfEveryEventAsJsonWhenItHappens() throws Exception {
        CommonEventMeter meter = new CommonEventMeter(Clock.SYSTEM, postgresEventMetadataProvider());
        Schema key = SchemaBuilder.struct().name("p.public.bench.Key").field("id", Schema.INT64_SCHEMA).build();
        Schema row = SchemaBuilder.struct().name("p.public.bench.Value").optional().field("id", Schema.INT64_SCHEMA).build();
        Schema source = PayloadWriterTest.postgresSource();
        Envelope envelope = Envelope.defineSchema().withName("p.public.bench.Envelope").withRecord(row).withSource(source).build();
        TableId bench = new TableId("leader", "public", "bench");

        for (long id = 1; id <= 2; id++) {
            Struct src = new Struct(source).put("version", MEASURED_DEBEZIUM).put("connector", "postgresql").put("name", "p")
                    .put("ts_ms", 1_700_000_000_000L).put("db", "leader").put("schema", "public").put("table", "bench")
                    .put("txId", 555L).put("lsn", 24_023_184L + id);
            Struct value = envelope.create(new Struct(row).put("id", id), src, Instant.EPOCH);
            meter.onEvent(bench, null, new Struct(key).put("id", id), value, Envelope.Operation.CREATE);
            // Name and value JSON-quoted: SchemaUtil's detailed writer, a new ObjectMapper for each event.
            assertEquals("position: {lsn: " + (24_023_184L + id) + "}, key: {\"id\" : \"" + id + "\"}", meter.getLastEvent());
        }
    }

    /** The provider PostgresConnectorTask wires with {@code new} (package-private: no hook replaces it). */
    static EventMetadataProvider postgresEventMetadataProvider() throws ReflectiveOperationException {
        var constructor = Class.forName("io.debezium.connector.postgresql.PostgresEventMetadataProvider")
                .asSubclass(EventMetadataProvider.class).getDeclaredConstructor();
        constructor.setAccessible(true);
        return constructor.newInstance();
    }
}
