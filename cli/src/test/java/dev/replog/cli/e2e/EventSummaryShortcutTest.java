package dev.replog.cli.e2e;

import dev.replog.capture.EventSummaryShortcut;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import io.debezium.connector.postgresql.Module;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debezium's streaming metrics of a running capture no longer render every event's key as JSON
 * (docs/benchmark.md, "Debezium's per-event JMX summary string"), and count as before.
 */
class EventSummaryShortcutTest {

    @Test
    void aStreamingCapturesLastEventNamesTheTableAndItsCountersStillCountEveryEvent() throws Exception {
        assertEquals(EventSummaryShortcut.FOR_DEBEZIUM, Module.version(),
                "Debezium changed: re-check EventSummaryShortcut against it (3.7.1 makes the summary cheap itself) and "
                        + "docs/benchmark.md 'Debezium's per-event JMX summary string'");
        TableId items = new TableId("public", "items");
        try (Replication r = new Replication("event_summary", 1, List.of(items))) {
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text)");
            r.startCapture();
            r.leader("INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 50) g");

            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            Set<ObjectName> names = jmx.queryNames(new ObjectName("debezium.postgres:type=connector-metrics,context=streaming,server="
                    + ObjectName.quote(r.topics().prefix()) + ",*"), null);
            Set<ObjectName> unquoted = jmx.queryNames(new ObjectName("debezium.postgres:type=connector-metrics,context=streaming,server="
                    + r.topics().prefix() + ",*"), null);
            ObjectName streaming = (names.isEmpty() ? unquoted : names).iterator().next();
            Await.until("the streaming metrics counted the 50 inserts", Duration.ofSeconds(60),
                    () -> ((Number) jmx.getAttribute(streaming, "TotalNumberOfCreateEventsSeen")).longValue() >= 50);
            String last = (String) jmx.getAttribute(streaming, "LastEvent");
            // Debezium's own summary reads "position: {lsn: ...}, key: {...}"; the last event may be
            // capture's heartbeat's as well as one of the inserts.
            assertTrue(last.equals(r.leaderDatabase() + ".public.items") || last.endsWith("heartbeat"),
                    "LastEvent should name a table, not render the event: " + last);
        }
    }
}
