package dev.replog.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.embedded.Dirs;
import dev.replog.schemas.TableId;
import dev.replog.serve.ServeService;
import dev.replog.metrics.ServiceMetrics;
import dev.replog.serve.ServeSettings;
import dev.replog.testkit.Await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A serve group for one test: instances of {@code replog serve} over one {@link Replication}'s log,
 * each with its own state directory and a free loopback port, started, halted and closed one by one.
 */
final class ReadReplicas implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Long enough for a group to form and restore on a busy 2-core machine. */
    static final Duration READY = Duration.ofSeconds(120);

    /** An HTTP answer: status, the LSN header and the JSON body. */
    record Reply(int status, String lsn, JsonNode body) {
    }

    private final Replication replication;
    private final List<TableId> tables;
    private final int standbys;
    private final String group;
    private final List<ServeService> instances = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    ReadReplicas(Replication replication, List<TableId> tables, int standbys) {
        this.replication = replication;
        this.tables = tables;
        this.standbys = standbys;
        this.group = replication.group() + "-serve";
    }

    ServeService start() {
        return start(ServiceMetrics.none());
    }

    /** Starts one more instance, measured into these metrics. */
    ServeService start(ServiceMetrics metrics) {
        try {
            Path dir = Files.createTempDirectory("replog-serve-test-");
            dirs.add(dir);
            ServeService s = ServeService.start(ServeSettings.of(replication.kafka(), replication.topics(), tables, group, dir, 0)
                    .withStandbys(standbys), metrics);
            instances.add(s);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code n} instances and waits until the group is ready. */
    void startGroup(int n) {
        for (int i = 0; i < n; i++) {
            start();
        }
        awaitReady(READY);
    }

    /** Stops the instance at this address as a crash would (it does not leave the group). */
    void halt(String address) {
        running().stream().filter(s -> s.address().equals(address)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no running instance at " + address)).halt();
    }

    List<ServeService> running() {
        return instances.stream().filter(s -> !s.stopped().isDone()).toList();
    }

    List<String> addresses() {
        return running().stream().map(ServeService::address).toList();
    }

    /** Waits until every running instance is ready and the group has an active instance for every partition. */
    void awaitReady(Duration timeout) {
        Await.until("serve group " + group + " ready", timeout, () -> {
            if (running().stream().anyMatch(s -> !s.isReady())) {
                return false;
            }
            Reply r = get(running().get(0).address(), "/v1/status?scope=group");
            return r.status() == 200 && r.body().path("complete").asBoolean();
        });
    }

    Reply get(String address, String pathAndQuery) {
        long started = System.nanoTime();
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://" + address + pathAndQuery))
                    .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            long ms = (System.nanoTime() - started) / 1_000_000;
            if (ms > 1_000) {
                System.out.println("slow answer (" + ms + " ms, " + r.statusCode() + ") from " + address + pathAndQuery + ": "
                        + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            return new Reply(r.statusCode(), r.headers().firstValue("X-Replog-Lsn").orElse(null), JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (ServeService s : instances) {
            if (!s.stopped().isDone()) {
                s.close();
            }
        }
        dirs.forEach(Dirs::deleteRecursively);
    }
}
