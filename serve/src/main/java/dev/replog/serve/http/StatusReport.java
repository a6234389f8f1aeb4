package dev.replog.serve.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.serve.routing.KeyEncodings;
import dev.replog.serve.store.LocalReplicas;
import dev.replog.serve.store.PartitionProgress;
import dev.replog.serve.store.ReplicaReader;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /v1/status}: every store partition this instance holds, with its role, applied LSN and
 * lag; {@code ?scope=group} gathers every instance's and adds the group's applied LSN (the lowest of
 * the active partitions: every table's every partition has applied it). {@code GET /v1/metadata}:
 * what a client needs to route keys itself.
 */
final class StatusReport {

    private final Tables tables;
    private final KafkaStreams streams;
    private final LocalReplicas replicas;
    private final ReplicaReader reader;
    private final LogEnds ends;
    private final KeyEncodings keyEncodings;
    private final Forwarder forwarder;
    private final String self;

    StatusReport(Tables tables, KafkaStreams streams, LocalReplicas replicas, ReplicaReader reader, LogEnds ends,
                 KeyEncodings keyEncodings, Forwarder forwarder, String self) {
        this.tables = tables;
        this.streams = streams;
        this.replicas = replicas;
        this.reader = reader;
        this.ends = ends;
        this.keyEncodings = keyEncodings;
        this.forwarder = forwarder;
        this.self = self;
    }

    Answer status(Request request) throws InterruptedException, IOException {
        ObjectNode local = local();
        if (!"group".equals(request.params().get("scope"))) {
            return Answer.json(200, local);
        }
        ObjectNode out = Answer.JSON.createObjectNode();
        ArrayNode instances = out.putArray("instances");
        instances.add(local);
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            String hostPort = m.host() + ":" + m.port();
            if (!hostPort.equals(self)) {
                Answer a = forwarder.forward(hostPort, "/v1/status", Duration.ofSeconds(5));
                instances.add(a.status() == 200 ? Answer.JSON.readTree(a.body())
                        : Answer.JSON.createObjectNode().put("instance", hostPort).put("error", new String(a.body(), StandardCharsets.UTF_8)));
            }
        }
        groupLsn(out, instances);
        return Answer.json(200, out);
    }

    /** The group's applied LSN: every partition of every table has an active instance at or past it. */
    private void groupLsn(ObjectNode out, ArrayNode instances) {
        Map<String, Lsn> active = new TreeMap<>();
        for (JsonNode i : instances) {
            for (JsonNode p : i.path("partitions")) {
                if (p.path("role").asText().equals("active") && p.path("answerable").asBoolean()) {
                    active.put(p.path("topic").asText() + "#" + p.path("partition").asInt(), Lsn.parse(p.path("appliedLsn").asText()));
                }
            }
        }
        int expected = 0;
        for (TableId t : tables.all()) {
            expected += ends.partitionCount(tables.topic(t));
        }
        out.put("partitions", expected);
        out.put("activePartitions", active.size());
        boolean complete = expected > 0 && active.size() == expected;
        out.put("complete", complete);
        if (complete) {
            out.put("appliedLsn", active.values().stream().min(Lsn::compareTo).orElseThrow().toString());
        } else {
            out.putNull("appliedLsn");
        }
    }

    private ObjectNode local() {
        ObjectNode out = Answer.JSON.createObjectNode();
        out.put("instance", self);
        out.put("state", streams.state().name());
        out.put("ready", streams.state() == KafkaStreams.State.RUNNING);
        ArrayNode parts = out.putArray("partitions");
        for (HeldPartition p : held()) {
            parts.add(p.json());
        }
        return out;
    }

    /**
     * A store partition this instance holds, as status and metrics show it.
     *
     * @param progress null if it cannot be read now ({@code error} says why)
     */
    record HeldPartition(TableId table, String topic, LocalReplicas.Held held, PartitionProgress progress, String error,
                         long lagRecords, double lagSeconds) {

        ObjectNode json() {
            ObjectNode o = Answer.JSON.createObjectNode();
            o.put("table", table.toString());
            o.put("topic", topic);
            o.put("partition", held.partition());
            o.put("role", held.role().name().toLowerCase());
            o.put("answerable", held.answerable() && progress != null);
            if (progress == null) {
                o.put("error", error);
                return o;
            }
            o.put("appliedLsn", progress.appliedLsn());
            o.put("commitTime", progress.commitTimeMs() == 0 ? null : Instant.ofEpochMilli(progress.commitTimeMs()).toString());
            o.put("sourceOffset", progress.sourceOffset());
            o.put("lagRecords", lagRecords);
            o.put("lagSeconds", lagSeconds);
            o.put("stopped", progress.stoppedReason());
            return o;
        }
    }

    /** Every store partition this instance holds now, active and standby. */
    List<HeldPartition> held() {
        List<HeldPartition> out = new ArrayList<>();
        List<TableId> served = new ArrayList<>();
        tables.all().forEach(served::add);
        for (TableId t : served) {
            String store = tables.store(t);
            String topic = tables.topic(t);
            int n = ends.partitionCount(topic);
            for (int p = 0; p < n; p++) {
                LocalReplicas.Held held = replicas.held(store, p);
                if (held != null) {
                    out.add(partition(t, topic, held));
                }
            }
        }
        return out;
    }

    private HeldPartition partition(TableId table, String topic, LocalReplicas.Held held) {
        try {
            PartitionProgress p = reader.progress(held.store(), held.partition());
            long end = ends.end(topic, held.partition());
            // Capture writes in Kafka transactions: the record after the last data record is a commit marker.
            long lag = end < 0 || p.sourceOffset() < 0 ? Math.max(0, end) : Math.max(0, end - p.sourceOffset() - 2);
            double seconds = lag == 0 || p.commitTimeMs() == 0 ? 0.0
                    : Math.max(0, System.currentTimeMillis() - p.commitTimeMs()) / 1000.0;
            return new HeldPartition(table, topic, held, p, null, lag, seconds);
        } catch (ReplicaReader.NotHere e) {
            return new HeldPartition(table, topic, held, null, e.getMessage(), 0, 0);
        }
    }

    Answer metadata() {
        ObjectNode out = Answer.JSON.createObjectNode();
        ArrayNode instances = out.putArray("instances");
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            instances.add(m.host() + ":" + m.port());
        }
        ObjectNode ts = out.putObject("tables");
        for (TableId t : tables.all()) {
            String topic = tables.topic(t);
            ObjectNode o = ts.putObject(t.toString());
            o.put("topic", topic);
            o.put("partitions", ends.partitionCount(topic));
            keyEncodings.of(t).ifPresentOrElse(k -> {
                o.put("routable", k.usable());
                o.put("problem", k.problem());
                if (k.encoding() != null) {
                    o.put("keySchema", new String(k.encoding().schemaJson(), StandardCharsets.UTF_8));
                    o.put("keyFormat", k.encoding().format().label());
                    ArrayNode cols = o.putArray("keyColumns");
                    k.encoding().columnNames().forEach(cols::add);
                }
            }, () -> o.put("routable", false).put("problem", "no row of " + t + " has reached the log yet"));
            ObjectNode active = o.putObject("active");
            ObjectNode standby = o.putObject("standbys");
            for (StreamsMetadata m : streams.streamsMetadataForStore(tables.store(t))) {
                String hp = m.host() + ":" + m.port();
                for (TopicPartition tp : m.topicPartitions()) {
                    if (tp.topic().equals(topic)) {
                        active.put(Integer.toString(tp.partition()), hp);
                    }
                }
                for (TopicPartition tp : m.standbyTopicPartitions()) {
                    if (tp.topic().equals(topic)) {
                        ArrayNode list = standby.has(Integer.toString(tp.partition()))
                                ? (ArrayNode) standby.get(Integer.toString(tp.partition()))
                                : standby.putArray(Integer.toString(tp.partition()));
                        list.add(hp);
                    }
                }
            }
        }
        return Answer.json(200, out);
    }
}
