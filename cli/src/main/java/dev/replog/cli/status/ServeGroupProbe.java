package dev.replog.cli.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replog.schemas.Lsn;
import dev.replog.serve.client.ServeStatusClient;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reads a serve group's state from its {@code /v1/status?scope=group} (serve/http/StatusReport). */
final class ServeGroupProbe {

    private ServeGroupProbe() {
    }

    static ServeGroupStatus probe(List<String> instances) throws InterruptedException {
        ServeStatusClient client = new ServeStatusClient(instances);
        JsonNode body;
        try {
            body = client.fetch();
        } catch (IllegalStateException e) {
            return ServeGroupStatus.unreachable(client.name(), e.getMessage());
        }
        List<ServeGroupStatus.Partition> partitions = new ArrayList<>();
        List<String> instanceErrors = new ArrayList<>();
        for (JsonNode instance : body.path("instances")) {
            String name = instance.path("instance").asText();
            if (instance.hasNonNull("error")) {
                instanceErrors.add(name + ": " + instance.path("error").asText());
            }
            for (JsonNode p : instance.path("partitions")) {
                partitions.add(new ServeGroupStatus.Partition(p.path("table").asText(), p.path("partition").asInt(), name,
                        p.path("role").asText(), p.path("answerable").asBoolean(), lsn(p.path("appliedLsn")),
                        p.path("lagRecords").asLong(), p.path("lagSeconds").asDouble(),
                        p.hasNonNull("stopped") ? p.path("stopped").asText() : p.hasNonNull("error") ? p.path("error").asText() : null));
            }
        }
        partitions.sort(Comparator.comparing(ServeGroupStatus.Partition::table).thenComparingInt(ServeGroupStatus.Partition::partition)
                .thenComparing(p -> !p.role().equals("active")).thenComparing(ServeGroupStatus.Partition::instance));
        return new ServeGroupStatus(client.name(), null, lsn(body.path("appliedLsn")), body.path("complete").asBoolean(),
                partitions, instanceErrors);
    }

    private static Lsn lsn(JsonNode n) {
        try {
            return n.isTextual() ? Lsn.parse(n.asText()) : null;
        } catch (IllegalArgumentException malformed) {
            return null;
        }
    }
}
