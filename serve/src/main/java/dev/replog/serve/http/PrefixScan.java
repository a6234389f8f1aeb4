package dev.replog.serve.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.serve.store.LocalReplicas;
import dev.replog.serve.store.PartitionProgress;
import dev.replog.serve.store.ReplicaReader;
import dev.replog.serve.store.StoreKeys;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /v1/tables/{table}/rows?prefix=v1[,v2...]&limit=N[&after=key]}: the rows whose leading
 * key columns equal the prefix (all rows without one), in key order (each value's text, byte order),
 * at most {@code limit} (default 100, at most 1,000), continuing after {@code after}. Keys are spread
 * over every partition, so each partition is read where it is held (here, or once on its owner) and
 * the results merged. {@code min_lsn} applies to every partition.
 */
final class PrefixScan {

    static final int MAX_LIMIT = 1_000;

    private final Tables tables;
    private final KafkaStreams streams;
    private final LocalReplicas replicas;
    private final ReplicaReader reader;
    private final Forwarder forwarder;
    private final LogEnds ends;
    private final Duration maxWaitCap;

    PrefixScan(Tables tables, KafkaStreams streams, LocalReplicas replicas, ReplicaReader reader, Forwarder forwarder,
               LogEnds ends, Duration maxWaitCap) {
        this.tables = tables;
        this.streams = streams;
        this.replicas = replicas;
        this.reader = reader;
        this.forwarder = forwarder;
        this.ends = ends;
        this.maxWaitCap = maxWaitCap;
    }

    private record Found(Bytes key, List<String> keyValues, JsonNode row) {
    }

    Answer scan(Request request, String tableSegment) throws InterruptedException, IOException {
        TableId table = tables.served(tableSegment);
        String store = tables.store(table);
        int limit = request.intParam("limit", 100, MAX_LIMIT);
        List<String> prefix = request.keyParam("prefix") == null ? List.of() : request.keyParam("prefix");
        Bytes from = StoreKeys.prefixStart(prefix);
        Bytes to = StoreKeys.prefixEnd(prefix);
        if (request.keyParam("after") != null) {
            byte[] after = StoreKeys.row(request.keyParam("after")).get();
            Bytes next = Bytes.wrap(Arrays.copyOf(after, after.length + 1));
            if (next.compareTo(from) > 0) {
                from = next;
            }
        }
        Lsn minLsn = request.minLsn();
        Duration maxWait = request.maxWait(maxWaitCap);
        Instant deadline = Instant.now().plus(maxWait);

        List<Integer> wanted = wantedPartitions(request, tables.topic(table));
        Map<String, List<Integer>> remote = new TreeMap<>();
        Map<Integer, String> lsns = new TreeMap<>();
        List<Found> found = new ArrayList<>();
        for (int p : wanted) {
            LocalReplicas.Held held = replicas.held(store, p);
            if (held != null && held.answerable()) {
                PartitionProgress progress = reader.awaitLsn(store, p, minLsn, deadline);
                if (minLsn != null && progress.lsn().compareTo(minLsn) < 0) {
                    return Answer.error(504, "partition " + p + " of " + table + " had not applied LSN " + minLsn
                            + " after " + maxWait.toMillis() + " ms (applied " + progress.appliedLsn() + ")");
                }
                for (ReplicaReader.ScannedRow r : reader.scan(store, p, from, to, limit)) {
                    found.add(new Found(r.key(), StoreKeys.values(r.key()), Answer.JSON.valueToTree(r.row())));
                }
                lsns.put(p, reader.covering(store, p, deadline).appliedLsn());
            } else if (request.forwarded()) {
                return Answer.retryLater("partition " + p + " of " + table + " is not held here; retry");
            } else {
                String owner = activeOwner(store, tables.topic(table), p);
                if (owner == null) {
                    return Answer.retryLater("partition " + p + " of " + table + " has no owner yet (rebalancing)");
                }
                remote.computeIfAbsent(owner, o -> new ArrayList<>()).add(p);
            }
        }
        for (Map.Entry<String, List<Integer>> r : remote.entrySet()) {
            String partitions = String.join(",", r.getValue().stream().map(String::valueOf).toList());
            String path = request.pathAndQuery() + (request.pathAndQuery().contains("?") ? "&" : "?") + "partitions=" + partitions;
            Answer a = forwarder.forward(r.getKey(), path, maxWait.plusSeconds(5));
            if (a.status() != 200) {
                return a;
            }
            JsonNode body = Answer.JSON.readTree(a.body());
            for (JsonNode row : body.path("rows")) {
                List<String> keyValues = new ArrayList<>();
                row.path("key").forEach(v -> keyValues.add(v.asText()));
                found.add(new Found(StoreKeys.row(keyValues), keyValues, row.path("row")));
            }
            body.path("partitions").fields().forEachRemaining(e -> lsns.put(Integer.parseInt(e.getKey()), e.getValue().asText()));
        }
        found.sort(Comparator.comparing(Found::key));
        ObjectNode out = Answer.JSON.createObjectNode();
        out.put("table", table.toString());
        ArrayNode rows = out.putArray("rows");
        for (Found f : found.subList(0, Math.min(limit, found.size()))) {
            ObjectNode o = rows.addObject();
            ArrayNode key = o.putArray("key");
            f.keyValues().forEach(key::add);
            o.set("row", f.row());
        }
        if (found.size() > limit) {
            out.put("next", String.join(",", found.get(limit - 1).keyValues().stream().map(PrefixScan::encode).toList()));
        } else {
            out.putNull("next");
        }
        ObjectNode parts = out.putObject("partitions");
        lsns.forEach((p, l) -> parts.put(Integer.toString(p), l));
        String highest = lsns.values().stream().map(Lsn::parse).max(Comparator.naturalOrder()).orElse(Lsn.ZERO).toString();
        return Answer.json(200, out).with(Answer.LSN_HEADER, highest);
    }

    private List<Integer> wantedPartitions(Request request, String topic) {
        String given = request.params().get("partitions");
        List<Integer> wanted = new ArrayList<>();
        if (given != null && !given.isEmpty()) {
            for (String p : given.split(",")) {
                wanted.add(Integer.parseInt(p.trim()));
            }
            return wanted;
        }
        int n = ends.partitionCount(topic);
        if (n == 0) {
            throw new Request.BadRequest("topic " + topic + " does not exist yet");
        }
        for (int p = 0; p < n; p++) {
            wanted.add(p);
        }
        return wanted;
    }

    private String activeOwner(String store, String topic, int partition) {
        for (StreamsMetadata m : streams.streamsMetadataForStore(store)) {
            if (m.topicPartitions().contains(new TopicPartition(topic, partition))) {
                return m.host() + ":" + m.port();
            }
        }
        return null;
    }

    /** Percent-encodes everything but unreserved characters, so {@code ,} inside a value survives. */
    static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '.' || c == '~') {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }
}
