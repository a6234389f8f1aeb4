package dev.replog.serve.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.schemas.Lsn;
import dev.replog.serve.routing.KeyEncoding;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Java client of a {@code replog serve} group. It sends each key straight to the instance that
 * owns its partition (from the group's {@code /v1/metadata}, with the partition function capture's
 * producer uses), falls back to any other instance when that one does not answer, and, through a
 * {@link Session}, gives monotonic reads and read-your-writes: a session sends the highest LSN it has
 * seen (or written) as {@code min_lsn}, so no read shows an older state than one before it.
 *
 * <pre>{@code
 * try (ReplogReadClient client = ReplogReadClient.of(List.of("127.0.0.1:8080", "127.0.0.1:8081"))) {
 *     ReplogReadClient.Session s = client.session();
 *     s.wrote(leaderLsnAfterCommit);                 // SELECT pg_current_wal_lsn() after the commit
 *     ReplogReadClient.Result r = s.get("public.accounts", "42");
 * }
 * }</pre>
 */
public final class ReplogReadClient implements AutoCloseable {

    /** A read's answer: HTTP status 200 (row) or 404 (no such row), the row, and the LSN it reflects. */
    public record Result(int status, Map<String, String> row, Lsn lsn, String servedBy) {
        public boolean found() {
            return status == 200;
        }
    }

    /** A read the group could not answer (504: not fresh enough in time; 4xx: a bad request). */
    public static final class ReadException extends RuntimeException {
        private final int status;

        ReadException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private record TableRoute(KeyEncoding encoding, int partitions, Map<Integer, String> owners) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> instances;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, TableRoute> routes = new ConcurrentHashMap<>();
    private final Duration maxWait;

    private ReplogReadClient(List<String> instances, Duration maxWait) {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("give at least one serve instance (host:port)");
        }
        this.instances = List.copyOf(instances);
        this.maxWait = maxWait;
    }

    /** A client of the group these instances (host:port) belong to; reads wait up to 5 s for their LSN. */
    public static ReplogReadClient of(List<String> instances) {
        return new ReplogReadClient(instances, Duration.ofSeconds(5));
    }

    public static ReplogReadClient of(List<String> instances, Duration maxWait) {
        return new ReplogReadClient(instances, maxWait);
    }

    public Session session() {
        return new Session();
    }

    /**
     * A sequence of reads that never goes back in time: it remembers the highest LSN among its reads'
     * answers and its own writes, and every read waits for it.
     */
    public final class Session {
        private final AtomicReference<Lsn> highest = new AtomicReference<>(Lsn.ZERO);

        /** After a write: the leader's LSN after the commit ({@code SELECT pg_current_wal_lsn()}). */
        public void wrote(Lsn leaderLsn) {
            highest.accumulateAndGet(leaderLsn, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }

        public Lsn highestLsn() {
            return highest.get();
        }

        /** The row of {@code table} ({@code schema.table}) with these primary-key values (text, key order). */
        public Result get(String table, String... keyValues) {
            Lsn min = highest.get();
            Result r = read(table, List.of(keyValues), min.equals(Lsn.ZERO) ? null : min);
            wrote(r.lsn());
            return r;
        }
    }

    /**
     * Semi-synchronous writes through this group: waits until every partition of every served table
     * has applied {@code leaderLsn}. See {@link FollowerAwait} for SQL followers and several followers.
     */
    public boolean awaitApplied(Lsn leaderLsn, Duration timeout) throws InterruptedException {
        return FollowerAwait.await(List.of(FollowerAwait.serveGroup(instances)), leaderLsn, 1, timeout).reached();
    }

    /** One read with an explicit bound (null: none). */
    public Result read(String table, List<String> keyValues, Lsn minLsn) {
        String path = "/v1/tables/" + encode(table) + "/rows/"
                + String.join(",", keyValues.stream().map(ReplogReadClient::encode).toList())
                + "?max_wait_ms=" + maxWait.toMillis() + (minLsn == null ? "" : "&min_lsn=" + minLsn);
        List<String> order = new ArrayList<>();
        String owner = ownerOf(table, keyValues);
        if (owner != null) {
            order.add(owner);
        }
        instances.stream().filter(i -> !order.contains(i)).forEach(order::add);
        Instant deadline = Instant.now().plus(maxWait).plusSeconds(10);
        String last = "no instance answered";
        while (true) {
            for (String instance : order) {
                try {
                    HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create("http://" + instance + path))
                            .timeout(maxWait.plusSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                    int status = resp.statusCode();
                    JsonNode body = JSON.readTree(resp.body());
                    if (status == 200 || status == 404 && body.has("row")) {
                        Map<String, String> row = null;
                        if (body.path("row").isObject()) {
                            row = new LinkedHashMap<>();
                            for (var it = body.path("row").fields(); it.hasNext(); ) {
                                var e = it.next();
                                row.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
                            }
                        }
                        return new Result(status, row, Lsn.parse(body.path("lsn").asText("0/0")), body.path("servedBy").asText());
                    }
                    if (status == 503) {
                        routes.remove(table); // owners moved: learn them again
                        last = instance + ": " + body.path("error").asText();
                        continue;
                    }
                    throw new ReadException(status, instance + " answered " + status + ": " + body.path("error").asText());
                } catch (IOException e) {
                    last = instance + ": " + e.getMessage();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ReadException(0, "interrupted");
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new ReadException(503, "no serve instance could answer: " + last);
            }
            sleep(200);
        }
    }

    /** The instance owning the key's partition per the group's metadata; null if not known (any instance will do). */
    String ownerOf(String table, List<String> keyValues) {
        TableRoute route = routes.computeIfAbsent(table, this::fetchRoute);
        if (route == null || route.encoding() == null || route.partitions() == 0) {
            routes.remove(table);
            return null;
        }
        try {
            byte[] key = route.encoding().recordKey(keyValues);
            return route.owners().get(KeyEncoding.partition(key, route.partitions()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private TableRoute fetchRoute(String table) {
        for (String instance : instances) {
            try {
                HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create("http://" + instance + "/v1/metadata"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                if (resp.statusCode() != 200) {
                    continue;
                }
                JsonNode t = JSON.readTree(resp.body()).path("tables").path(table);
                if (!t.path("routable").asBoolean(false)) {
                    return null;
                }
                Map<Integer, String> owners = new LinkedHashMap<>();
                t.path("active").fields().forEachRemaining(e -> owners.put(Integer.parseInt(e.getKey()), e.getValue().asText()));
                KeyEncoding encoding = KeyEncoding.fromSchema(KeyEncoding.Format.ofLabel(t.path("keyFormat").asText()),
                        t.path("keySchema").asText().getBytes(StandardCharsets.UTF_8));
                return new TableRoute(encoding, t.path("partitions").asInt(), owners);
            } catch (IllegalArgumentException e) {
                return null; // a key format this client does not know: any instance will do
            } catch (IOException e) {
                // try the next instance
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        routes.clear(); // Java 17's HttpClient has no close: its threads end with it
    }
}
