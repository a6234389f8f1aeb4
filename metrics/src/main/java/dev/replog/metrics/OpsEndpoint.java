package dev.replog.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The HTTP endpoint of a service that has no HTTP API of its own (capture, apply):
 * <pre>
 * GET /metrics        Prometheus text format
 * GET /health/live    200 while the process works (starting included), else 503
 * GET /health/ready   200 once the service does its job, else 503
 * </pre>
 * Both health answers are {@code {"status":"UP"|"DOWN","reason":"..."}}. It starts before the service
 * does (ready: down until the service says otherwise), so a supervisor sees a starting service as
 * alive and not ready.
 */
public final class OpsEndpoint implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private volatile Supplier<Health> live = () -> Health.up("starting");
    private volatile Supplier<Health> ready = () -> Health.down("starting");

    private OpsEndpoint(HttpServer server, ServiceMetrics metrics) {
        this.server = server;
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "replog-ops-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", new MetricsHandler(metrics));
        server.createContext("/health/live", e -> health(e, live));
        server.createContext("/health/ready", e -> health(e, ready));
        server.createContext("/", e -> MetricsHandler.send(e, 404, "application/json", "{\"error\":\"no such resource\"}"));
    }

    /**
     * Binds the address and starts answering.
     *
     * @throws java.net.BindException the port is taken (the caller names the setting at fault)
     */
    public static OpsEndpoint start(InetSocketAddress address, ServiceMetrics metrics) throws IOException {
        OpsEndpoint e = new OpsEndpoint(HttpServers.bind(address, 16), metrics);
        e.server.start();
        return e;
    }

    /** What {@code /health/live} answers from now on. */
    public void live(Supplier<Health> check) {
        this.live = check;
    }

    /** What {@code /health/ready} answers from now on. */
    public void ready(Supplier<Health> check) {
        this.ready = check;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void health(HttpExchange exchange, Supplier<Health> check) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            MetricsHandler.send(exchange, 405, "application/json", "{\"error\":\"only GET is served\"}");
            return;
        }
        Health h;
        try {
            h = check.get();
        } catch (RuntimeException e) {
            h = Health.down("health check failed: " + e);
        }
        MetricsHandler.send(exchange, h.up() ? 200 : 503, "application/json", h.json());
    }

    @Override
    public void close() {
        HttpServers.stop(server, executor);
    }
}
