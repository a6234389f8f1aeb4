package dev.replog.bench.serve;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The lookup load: {@code clients} threads, each sending {@code GET /v1/tables/{table}/rows/{key}} of
 * a random existing key to the next instance of its list in turn (HTTP/1.1, kept-alive connections
 * of one {@link HttpClient}), one request after the other, for a while. A lookup is <em>local</em>
 * when the instance asked answered it itself ({@code X-Replog-Served-By} is that instance),
 * <em>forwarded</em> when it fetched the answer from another one.
 */
final class LookupLoad {

    /** What one run measured. Lookups are the answered ones (200); the rest are counted in {@code errors}. */
    record Outcome(String label, List<String> targets, int clients, double seconds, long local, long forwarded,
                   Map<String, Long> errors, String firstError, Latencies.Summary localLatency,
                   Latencies.Summary forwardedLatency) {

        long lookups() {
            return local + forwarded;
        }

        double perSecond() {
            return lookups() / seconds;
        }

        long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final String table;
    private final long rows;

    /** @param rows keys 1..rows exist */
    LookupLoad(String table, long rows) {
        this.table = table;
        this.rows = rows;
    }

    Outcome run(String label, List<String> targets, int clients, Duration duration) throws InterruptedException {
        List<Client> all = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long started = System.nanoTime();
        long deadline = started + duration.toNanos();
        for (int i = 0; i < clients; i++) {
            Client c = new Client(targets, i, deadline);
            all.add(c);
            threads.add(new Thread(c, "serve-bench-lookups-" + i));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Long> errors = new TreeMap<>();
        String firstError = null;
        for (Client c : all) {
            c.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
            firstError = firstError == null ? c.firstError : firstError;
        }
        Latencies local = Latencies.merge(all.stream().map(c -> c.local).toList());
        Latencies forwarded = Latencies.merge(all.stream().map(c -> c.forwarded).toList());
        return new Outcome(label, targets, clients, seconds, local.size(), forwarded.size(), errors, firstError,
                local.summary(), forwarded.summary());
    }

    private final class Client implements Runnable {
        private final List<String> targets;
        private final long deadline;
        private int turn;
        final Latencies local = new Latencies();
        final Latencies forwarded = new Latencies();
        final Map<String, Long> errors = new TreeMap<>();
        String firstError;

        Client(List<String> targets, int index, long deadline) {
            this.targets = targets;
            this.turn = index;
            this.deadline = deadline;
        }

        @Override
        public void run() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (System.nanoTime() - deadline < 0) {
                String target = targets.get(turn++ % targets.size());
                long key = 1 + random.nextLong(rows);
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + target + "/v1/tables/" + table + "/rows/" + key))
                        .timeout(Duration.ofSeconds(10)).GET().build();
                long sent = System.nanoTime();
                try {
                    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    long latency = System.nanoTime() - sent;
                    if (response.statusCode() == 200) {
                        boolean itself = target.equals(response.headers().firstValue("X-Replog-Served-By").orElse(""));
                        (itself ? local : forwarded).add(latency);
                    } else {
                        error("HTTP " + response.statusCode(), target + " key " + key + ": " + new String(response.body()));
                    }
                } catch (IOException e) {
                    error(e.getClass().getSimpleName(), target + " key " + key + ": " + e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private void error(String kind, String detail) {
            errors.merge(kind, 1L, Long::sum);
            if (firstError == null) {
                firstError = detail;
            }
        }
    }
}
