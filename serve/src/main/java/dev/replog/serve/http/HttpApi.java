package dev.replog.serve.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.replog.metrics.HttpServers;
import dev.replog.metrics.MetricsHandler;
import dev.replog.metrics.ServiceMetrics;
import dev.replog.serve.ServeSettings;
import dev.replog.serve.routing.KeyEncodings;
import dev.replog.serve.store.LocalReplicas;
import dev.replog.serve.store.ReplicaReader;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP API of one serve instance (JSON; see README "Read replicas"):
 * <pre>
 * GET /v1/tables/{table}/rows/{key}     one row by primary key   [min_lsn, max_wait_ms]
 * GET /v1/tables/{table}/rows           prefix scan               prefix, limit, after [min_lsn, max_wait_ms]
 * GET /v1/status                        this instance's partitions [scope=group: every instance's]
 * GET /v1/metadata                      routing: key schema and owner of every partition
 * GET /health/live, /health/ready
 * GET /metrics                          Prometheus text format (docs/metrics.md)
 * </pre>
 */
public final class HttpApi {

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final KafkaStreams streams;
    private final RowLookup rows;
    private final PrefixScan scans;
    private final StatusReport status;
    private final LogEnds ends;
    private final ServeMeters meters;

    /** Binds the listen address now: with port 0 the port is known before Kafka Streams is told where this instance is. */
    public static HttpServer bind(ServeSettings settings) throws IOException {
        return HttpServers.bind(new InetSocketAddress(settings.listenHost(), settings.listenPort()), 256);
    }

    /** @param self this instance's advertised host:port */
    public HttpApi(HttpServer server, ServeSettings settings, String self, KafkaStreams streams, LocalReplicas replicas,
                   KeyEncodings keyEncodings, ServiceMetrics metrics) {
        this.streams = streams;
        Tables tables = new Tables(settings.topics(), settings.tables());
        ReplicaReader reader = new ReplicaReader(streams);
        Forwarder forwarder = new Forwarder(self);
        this.ends = new LogEnds(settings.kafka());
        this.rows = new RowLookup(tables, streams, replicas, reader, keyEncodings, forwarder, self,
                settings.maxWait());
        this.scans = new PrefixScan(tables, streams, replicas, reader, forwarder, ends, settings.maxWait());
        this.status = new StatusReport(tables, streams, replicas, reader, ends, keyEncodings, forwarder, self);
        this.meters = new ServeMeters(metrics, status, self);
        this.server = server;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(settings.httpThreads(), r -> {
            Thread t = new Thread(r, "replog-serve-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.createContext("/metrics", new MetricsHandler(metrics));
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void stop() {
        meters.stop();
        HttpServers.stop(server, executor);
        ends.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        Answer answer;
        try {
            answer = route(exchange);
        } catch (Request.BadRequest e) {
            answer = Answer.error(400, e.getMessage());
        } catch (Tables.NotServed e) {
            answer = Answer.error(404, e.getMessage());
        } catch (ReplicaReader.NotHere e) {
            answer = Answer.retryLater(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer = Answer.retryLater("instance is stopping");
        } catch (RuntimeException e) {
            if (streams.state() == KafkaStreams.State.REBALANCING) {
                answer = Answer.retryLater("the serve group is rebalancing: " + e.getMessage());
            } else {
                log.warn("serve could not answer {}: {}", exchange.getRequestURI(), e.toString());
                answer = Answer.error(500, e.toString());
            }
        }
        String lookup = lookupKind(exchange.getRequestURI().getRawPath());
        if (lookup != null) {
            meters.lookup(lookup, answer.status(), System.nanoTime() - started);
        }
        send(exchange, answer);
    }

    /** {@code row} for a read by key, {@code scan} for a prefix scan, null for anything else. */
    private static String lookupKind(String rawPath) {
        String[] s = rawPath.split("/");
        // "" v1 tables {table} rows [{key}]
        if (s.length >= 5 && s[1].equals("v1") && s[2].equals("tables") && s[4].equals("rows")) {
            return s.length == 6 ? "row" : s.length == 5 ? "scan" : null;
        }
        return null;
    }

    private Answer route(HttpExchange exchange) throws InterruptedException, IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            return Answer.error(405, "only GET is served");
        }
        boolean forwarded = exchange.getRequestHeaders().containsKey(Answer.FORWARDED_HEADER);
        Request request = Request.parse(exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(), forwarded);
        List<String> s = request.rawSegments();
        if (s.equals(List.of("health", "live"))) {
            boolean alive = streams.state().isRunningOrRebalancing() || streams.state() == KafkaStreams.State.CREATED;
            return Answer.json(alive ? 200 : 503, Answer.JSON.createObjectNode().put("state", streams.state().name()));
        }
        if (s.equals(List.of("health", "ready"))) {
            boolean ready = streams.state() == KafkaStreams.State.RUNNING;
            return Answer.json(ready ? 200 : 503, Answer.JSON.createObjectNode().put("state", streams.state().name()));
        }
        if (s.equals(List.of("v1", "status"))) {
            return status.status(request);
        }
        if (s.equals(List.of("v1", "metadata"))) {
            return status.metadata();
        }
        if (s.size() == 5 && s.get(0).equals("v1") && s.get(1).equals("tables") && s.get(3).equals("rows")) {
            return rows.get(request, s.get(2), s.get(4));
        }
        if (s.size() == 4 && s.get(0).equals("v1") && s.get(1).equals("tables") && s.get(3).equals("rows")) {
            return scans.scan(request, s.get(2));
        }
        return Answer.error(404, "no such resource: " + exchange.getRequestURI().getPath());
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        for (Map.Entry<String, String> h : answer.headers().entrySet()) {
            exchange.getResponseHeaders().set(h.getKey(), h.getValue());
        }
        exchange.sendResponseHeaders(answer.status(), answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer.body());
        }
    }
}
