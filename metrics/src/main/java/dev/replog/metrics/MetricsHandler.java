package dev.replog.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** {@code GET /metrics}: the service's meters in Prometheus' text format. Mounted by every service's HTTP server. */
public final class MetricsHandler implements HttpHandler {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final ServiceMetrics metrics;

    public MetricsHandler(ServiceMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            send(exchange, 405, "application/json", "{\"error\":\"only GET is served\"}");
            return;
        }
        if (!exchange.getRequestURI().getPath().equals("/metrics")) {
            send(exchange, 404, "application/json", "{\"error\":\"no such resource\"}");
            return;
        }
        send(exchange, 200, CONTENT_TYPE, metrics.scrape());
    }

    static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
