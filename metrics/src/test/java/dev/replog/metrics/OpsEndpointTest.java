package dev.replog.metrics;

import dev.replog.testkit.Await;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpsEndpointTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private static HttpResponse<String> request(OpsEndpoint e, String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + e.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStartingServiceIsLiveButNotReadyUntilItSaysSoAndEachAnswerSaysWhy() throws Exception {
        try (ServiceMetrics metrics = ServiceMetrics.none(); OpsEndpoint e = OpsEndpoint.start(ANY_PORT, metrics)) {
            assertEquals(200, request(e, "GET", "/health/live").statusCode());
            HttpResponse<String> ready = request(e, "GET", "/health/ready");
            assertEquals(503, ready.statusCode());
            assertEquals("{\"status\":\"DOWN\",\"reason\":\"starting\"}", ready.body());
            assertEquals("application/json", ready.headers().firstValue("Content-Type").orElse(""));

            e.ready(() -> Health.up("streaming \"slot\"\n"));
            assertEquals(200, request(e, "GET", "/health/ready").statusCode());
            assertEquals("{\"status\":\"UP\",\"reason\":\"streaming \\\"slot\\\"\\u000a\"}", request(e, "GET", "/health/ready").body());

            e.live(() -> {
                throw new IllegalStateException("broken check");
            });
            HttpResponse<String> live = request(e, "GET", "/health/live");
            assertEquals(503, live.statusCode());
            assertTrue(live.body().contains("broken check"), live.body());
        }
    }

    @Test
    void metricsAreServedInPrometheusTextFormatAndNothingElseIs() throws Exception {
        try (ServiceMetrics metrics = ServiceMetrics.prometheus("apply"); OpsEndpoint e = OpsEndpoint.start(ANY_PORT, metrics)) {
            ReplogMetric.APPLY_RETRIES.counter(metrics.registry(), "cause", "kafka").increment(3);
            HttpResponse<String> m = request(e, "GET", "/metrics");
            assertEquals(200, m.statusCode());
            assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            assertTrue(m.body().contains("replog_apply_retries_total{cause=\"kafka\",service=\"apply\"} 3.0"), m.body());
            assertTrue(m.body().contains("jvm_memory_used_bytes{area=\"heap\""), "JVM meters bound");
            assertEquals(405, request(e, "POST", "/metrics").statusCode());
            assertEquals(404, request(e, "GET", "/metricsz").statusCode());
            assertEquals(404, request(e, "GET", "/").statusCode());
        }
    }

    @Test
    void aSampleIsDownBeforeItsFirstMeasurementAndWhileMeasuringFailsAndUpOnceItWorks() throws Exception {
        AtomicBoolean fails = new AtomicBoolean(true);
        try (ServiceMetrics metrics = ServiceMetrics.prometheus("capture", Duration.ofMillis(50))) {
            Sample s = metrics.every("the slot", () -> {
                if (fails.get()) {
                    throw new IOException("leader unreachable");
                }
            });
            awaitHealth(s, false, "cannot measure the slot: leader unreachable");
            fails.set(false);
            awaitHealth(s, true, "measured the slot");
        }
        try (ServiceMetrics none = ServiceMetrics.none()) {
            Health h = none.every("nothing", () -> { }).health();
            assertFalse(h.up(), "a sample that never runs is never up");
        }
    }

    private static void awaitHealth(Sample s, boolean up, String reason) {
        Await.until("sample health " + (up ? "up" : "down") + ": " + reason, Duration.ofSeconds(30),
                () -> s.health().up() == up && s.health().reason().equals(reason));
    }
}
