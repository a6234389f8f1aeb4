package dev.replog.cli.e2e;

import dev.replog.applier.ApplyMonitor;
import dev.replog.metrics.OpsEndpoint;
import dev.replog.metrics.ReplogMetric;
import dev.replog.metrics.ServiceMetrics;
import dev.replog.schemas.TableId;
import dev.replog.serve.ServeService;
import dev.replog.testkit.Await;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics and health endpoints of capture, apply and serve, scraped over HTTP and parsed as
 * Prometheus does, on one running pipeline: the figures move with what the pipeline does, health
 * says not ready until the service does its job, and every meter {@link ReplogMetric} declares (the
 * names the dashboard and the alert rules are checked against) is exported.
 */
class MetricsTest {

    private static final TableId ORDERS = new TableId("public", "orders");
    private static final String TABLE = "public.orders";
    /** Short, so the sampled figures (lag, slot, store partitions) follow the test quickly. */
    private static final Duration SAMPLE = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void metricsMoveWithThePipelineAndHealthSaysReadyOnlyOnceEachServiceDoesItsJob() throws Exception {
        try (Replication r = new Replication("metrics", 2, List.of(ORDERS));
             ServiceMetrics captureMetrics = ServiceMetrics.prometheus("capture", SAMPLE);
             ServiceMetrics applyMetrics = ServiceMetrics.prometheus("apply", SAMPLE);
             ServiceMetrics serveMetrics = ServiceMetrics.prometheus("serve", SAMPLE);
             OpsEndpoint captureHttp = OpsEndpoint.start(ANY_PORT, captureMetrics);
             OpsEndpoint applyHttp = OpsEndpoint.start(ANY_PORT, applyMetrics);
             ReadReplicas serve = new ReadReplicas(r, List.of(ORDERS), 0)) {
            String capture = "127.0.0.1:" + captureHttp.port();
            String apply = "127.0.0.1:" + applyHttp.port();
            r.leader("CREATE TABLE orders (id int PRIMARY KEY, note text)",
                    "INSERT INTO orders SELECT g, 'snapshot' FROM generate_series(1, 20) g");

            assertHealth(capture, "/health/live", 200, "starting");
            assertHealth(capture, "/health/ready", 503, "starting");
            r.startCapture(captureMetrics);
            captureHttp.live(r.capture()::liveness);
            captureHttp.ready(r.capture()::readiness);
            assertHealth(capture, "/health/ready", 200, "streaming");

            try (ApplyMonitor monitor = ApplyMonitor.start(r.applierSettings(), applyMetrics)) {
                applyHttp.ready(() -> monitor.readiness(r.applier()));
                // No applier yet: the snapshot's rows wait in the log.
                Await.until("apply lag counts the snapshot waiting in the log", WAIT,
                        () -> lagRecords(apply) >= 20);
                assertHealth(apply, "/health/ready", 503, "applier not started");

                r.startApplier(applyMetrics);
                applyHttp.live(r.applier()::liveness);
                r.awaitFollowerMatchesLeader();
                Await.until("apply lag back to 0 records and 0 s", WAIT, () -> lagRecords(apply) == 0
                        && PrometheusScrape.of(apply).value("replog_apply_lag_seconds", "table", TABLE) == 0);
                assertHealth(apply, "/health/ready", 200, "applying");
                assertHealth(apply, "/health/live", 200, "applier running");

                double appliedBefore = applied(apply);
                for (int id = 21; id <= 30; id++) {
                    r.leader("INSERT INTO orders VALUES (" + id + ", 'streamed')");
                }
                r.leader("UPDATE orders SET note = 'updated' WHERE id = 1");
                r.awaitFollowerMatchesLeader();
                Await.until("the applied counter counts the 11 changes", WAIT, () -> applied(apply) >= appliedBefore + 11);
                assertEquals(appliedBefore + 11, applied(apply), "events applied: one per change written, no more");

                Await.until("apply lag back to 0 records, 0 WAL bytes and 0 s after the streamed changes", WAIT, () -> {
                    PrometheusScrape now = PrometheusScrape.of(apply);
                    return now.value("replog_apply_lag_records", "table", TABLE) == 0
                            && now.value("replog_apply_lag_wal_bytes", "table", TABLE) == 0
                            && now.value("replog_apply_lag_seconds", "table", TABLE) == 0;
                });
                PrometheusScrape a = PrometheusScrape.of(apply);
                assertTrue(a.value("replog_apply_batch_events_count") > 0, "batches counted");
                assertTrue(a.value("replog_apply_commit_seconds_count") > 0, "follower commits timed");
                assertTrue(a.value("replog_apply_commit_seconds_sum") > 0, "follower commits take time");
                assertEquals(0, a.value("replog_apply_stopped_tables"));
                assertEquals(0, a.value("replog_apply_table_stopped", "table", TABLE));
                assertEquals(0, a.value("replog_apply_dead_letters_total"));
                assertJvmAndProcess(a, "apply");

                Await.until("capture's slot figures sampled", WAIT, () -> {
                    PrometheusScrape c = PrometheusScrape.of(capture);
                    return c.value("replog_capture_slot_active") == 1
                            && c.value("replog_capture_slot_retained_wal_bytes") >= 0
                            && c.value("replog_capture_slot_confirmed_lsn") > 0;
                });
                PrometheusScrape c = PrometheusScrape.of(capture);
                assertTrue(c.value("replog_capture_events_published_total") >= 31, "snapshot rows and changes published");
                assertTrue(c.value("replog_capture_batch_publish_seconds_count") > 0, "batches timed");
                assertTrue(c.value("replog_capture_published_lsn") >= c.value("replog_capture_slot_confirmed_lsn") - 1e6,
                        "published LSN near the slot's");
                assertEquals(1, c.value("replog_capture_streaming"));
                assertEquals(0, c.value("replog_capture_retries_total"));
                assertJvmAndProcess(c, "capture");

                ServeService instance = serve.start(serveMetrics);
                serve.awaitReady(ReadReplicas.READY);
                int[] lookups = {0};
                Await.until("serve's store has row 21", WAIT, () -> {
                    lookups[0]++;
                    return serve.get(instance.address(), "/v1/tables/" + TABLE + "/rows/21").status() == 200;
                });
                Await.until("serve's two store partitions sampled, caught up", WAIT, () -> {
                    PrometheusScrape now = PrometheusScrape.of(instance.address());
                    List<PrometheusScrape.Series> lsn = now.find("replog_serve_applied_lsn", "table", TABLE, "role", "active");
                    List<PrometheusScrape.Series> lag = now.find("replog_serve_lag_records", "table", TABLE, "role", "active");
                    return lsn.size() == 2 && lsn.stream().allMatch(x -> x.value() > 0)
                            && lag.size() == 2 && lag.stream().allMatch(x -> x.value() == 0);
                });
                PrometheusScrape s = PrometheusScrape.of(instance.address());
                assertEquals(1, s.value("replog_serve_lookups_seconds_count", "kind", "row", "status", "200"));
                assertEquals(lookups[0], s.find("replog_serve_lookups_seconds_count", "kind", "row").stream()
                        .mapToDouble(PrometheusScrape.Series::value).sum(), "every lookup counted, whatever its answer");
                assertJvmAndProcess(s, "serve");

                assertEveryDeclaredMetricIsExported(Map.of("capture", c, "apply", a, "serve", s));

                r.produce(r.topics().forTable(ORDERS), "{\"id\":99}", "{not json");
                Await.until("the table stopped at the poison event shows in apply's metrics", WAIT, () -> {
                    PrometheusScrape now = PrometheusScrape.of(apply);
                    return now.value("replog_apply_table_stopped", "table", TABLE) == 1
                            && now.value("replog_apply_stopped_tables") == 1
                            && now.value("replog_apply_dead_letters_total") == 1;
                });
                assertHealth(apply, "/health/ready", 503, "stopped at a poison event");
                assertHealth(apply, "/health/live", 200, "applier running");
            }
        }
    }

    private static double lagRecords(String apply) {
        return PrometheusScrape.of(apply).find("replog_apply_lag_records", "table", TABLE).stream()
                .mapToDouble(PrometheusScrape.Series::value).sum();
    }

    private static double applied(String apply) {
        return PrometheusScrape.of(apply).value("replog_apply_events_applied_total");
    }

    private static void assertHealth(String hostPort, String path, int status, String reason) {
        Await.until(path + " of " + hostPort + " answers " + status, WAIT, () -> {
            HttpResponse<String> r = PrometheusScrape.get(hostPort, path);
            return r.statusCode() == status;
        });
        HttpResponse<String> r = PrometheusScrape.get(hostPort, path);
        assertTrue(r.body().startsWith("{\"status\":\"" + (status == 200 ? "UP" : "DOWN") + "\""), r.body());
        assertTrue(r.body().contains(reason), path + " says why: " + r.body());
    }

    private static void assertJvmAndProcess(PrometheusScrape s, String service) {
        assertTrue(s.find("jvm_memory_used_bytes", "area", "heap", "service", service).stream().anyMatch(x -> x.value() > 0),
                "heap used");
        assertTrue(s.value("jvm_threads_live_threads", "service", service) > 0, "live threads");
        assertTrue(s.value("process_uptime_seconds", "service", service) > 0, "uptime");
        assertTrue(s.names().contains("jvm_gc_memory_allocated_bytes_total"), "GC meters");
        assertTrue(s.names().contains("process_cpu_usage"), "process CPU");
    }

    /** Closes the loop of names: the dashboard and alerts are checked against ReplogMetric, which this checks against the scrapes. */
    private static void assertEveryDeclaredMetricIsExported(Map<String, PrometheusScrape> byService) {
        List<String> missing = new ArrayList<>();
        for (ReplogMetric m : ReplogMetric.values()) {
            String service = m.name().substring(0, m.name().indexOf('_')).toLowerCase();
            PrometheusScrape s = byService.get(service);
            String series = m.seriesNames().get(0);
            if (!s.names().contains(series)) {
                missing.add(series + " (" + service + ")");
            }
        }
        assertEquals(List.of(), missing, "declared meters missing from their service's scrape");
    }
}
