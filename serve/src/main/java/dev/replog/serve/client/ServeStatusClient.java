package dev.replog.serve.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A serve group's {@code /v1/status?scope=group}, asked of its instances in turn until one answers:
 * every instance's partitions with role, applied LSN and lag, and the group's applied LSN.
 */
public final class ServeStatusClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> instances;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    /** @param instances any of the group's instances, {@code host:port} */
    public ServeStatusClient(List<String> instances) {
        this.instances = List.copyOf(instances);
    }

    public String name() {
        return "serve group " + String.join(",", instances);
    }

    /**
     * The group's status from the first instance that answers.
     *
     * @throws IllegalStateException naming the last instance's failure if none answered
     */
    public JsonNode fetch() throws InterruptedException {
        String last = "no instance answered";
        for (String instance : instances) {
            try {
                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://" + instance + "/v1/status?scope=group"))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() == 200) {
                    return JSON.readTree(r.body());
                }
                last = instance + " answered " + r.statusCode();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = instance + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
        throw new IllegalStateException(last);
    }
}
