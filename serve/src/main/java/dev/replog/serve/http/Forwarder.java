package dev.replog.serve.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sends a read on to the instance that holds its partition, once: the forwarded request carries
 * {@link Answer#FORWARDED_HEADER}, and an instance never forwards such a request again, so a
 * rebalance in flight gives a 503 rather than a loop.
 */
final class Forwarder {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final String self;

    Forwarder(String self) {
        this.self = self;
    }

    /** @return the owner's answer, or a 503 if it cannot be reached */
    Answer forward(String hostPort, String pathAndQuery, Duration timeout) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + hostPort + pathAndQuery))
                .timeout(timeout).header(Answer.FORWARDED_HEADER, self).GET().build();
        try {
            HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            Map<String, String> headers = new LinkedHashMap<>();
            r.headers().map().forEach((name, values) -> {
                if (name.toLowerCase().startsWith("x-replog-") || name.equalsIgnoreCase("retry-after")) {
                    headers.put(canonical(name), values.get(0));
                }
            });
            return new Answer(r.statusCode(), headers, r.body());
        } catch (IOException e) {
            return Answer.retryLater("the instance holding this key (" + hostPort + ") did not answer: " + e.getMessage());
        }
    }

    private static String canonical(String name) {
        for (String known : new String[]{Answer.LSN_HEADER, Answer.PARTITION_HEADER, Answer.SERVED_BY_HEADER, "Retry-After"}) {
            if (known.equalsIgnoreCase(name)) {
                return known;
            }
        }
        return name;
    }
}
