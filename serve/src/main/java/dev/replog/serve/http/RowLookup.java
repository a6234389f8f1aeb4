package dev.replog.serve.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.serve.routing.KeyEncoding;
import dev.replog.serve.routing.KeyEncodings;
import dev.replog.serve.store.LocalReplicas;
import dev.replog.serve.store.PartitionProgress;
import dev.replog.serve.store.ReplicaReader;
import dev.replog.serve.store.StoreKeys;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /v1/tables/{table}/rows/{key}}: finds the key's partition with the partition function
 * capture's producer used, answers from the local store partition if this instance holds it (active,
 * or a caught-up standby), else forwards once to the partition's active instance. With
 * {@code min_lsn} it first waits, up to {@code max_wait_ms}, until the partition has applied every
 * leader transaction committed at or before that LSN; 504 if it has not.
 */
final class RowLookup {

    private final Tables tables;
    private final KafkaStreams streams;
    private final LocalReplicas replicas;
    private final ReplicaReader reader;
    private final KeyEncodings keyEncodings;
    private final Forwarder forwarder;
    private final String self;
    private final Duration maxWaitCap;

    RowLookup(Tables tables, KafkaStreams streams, LocalReplicas replicas, ReplicaReader reader,
              KeyEncodings keyEncodings, Forwarder forwarder, String self, Duration maxWaitCap) {
        this.tables = tables;
        this.streams = streams;
        this.replicas = replicas;
        this.reader = reader;
        this.keyEncodings = keyEncodings;
        this.forwarder = forwarder;
        this.self = self;
        this.maxWaitCap = maxWaitCap;
    }

    Answer get(Request request, String tableSegment, String rawKey) throws InterruptedException {
        TableId table = tables.served(tableSegment);
        List<String> keyValues = Request.keyValues(rawKey);
        Lsn minLsn = request.minLsn();
        Duration maxWait = request.maxWait(maxWaitCap);
        Instant deadline = Instant.now().plus(maxWait);
        KeyEncodings.Known known = encodingOf(table, minLsn != null, deadline);
        if (known == null) {
            return Answer.error(404, "no row of " + table + " has reached the log yet").with("X-Replog-Empty-Table", "true");
        }
        if (!known.usable()) {
            return Answer.error(501, known.problem());
        }
        byte[] recordKey;
        try {
            recordKey = known.encoding().recordKey(keyValues);
        } catch (IllegalArgumentException e) {
            return Answer.error(400, "key '" + rawKey + "' of " + table + ": " + e.getMessage());
        }
        String store = tables.store(table);
        KeyQueryMetadata owner = streams.queryMetadataForKey(store, recordKey,
                (topic, k, v, n) -> Optional.of(Set.of(KeyEncoding.partition(recordKey, n))));
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE) || owner.activeHost() == null) {
            return Answer.retryLater("the serve group is rebalancing; partitions of " + table + " have no owner yet");
        }
        int partition = owner.partition();
        LocalReplicas.Held held = replicas.held(store, partition);
        if (held != null && held.answerable()) {
            try {
                return readLocal(table, known.encoding().columnNames(), keyValues, store, partition, held.role(), minLsn,
                        deadline, maxWait);
            } catch (ReplicaReader.NotHere e) {
                if (request.forwarded()) {
                    return Answer.retryLater(e.getMessage());
                }
            }
        }
        if (request.forwarded() || hostPort(owner.activeHost()).equals(self)) {
            return Answer.retryLater("partition " + partition + " of " + table + " is moving or restoring here; retry");
        }
        return forwarder.forward(hostPort(owner.activeHost()), request.pathAndQuery(),
                maxWait.plusSeconds(5));
    }

    private KeyEncodings.Known encodingOf(TableId table, boolean waitForRows, Instant deadline) throws InterruptedException {
        Optional<KeyEncodings.Known> known = keyEncodings.of(table);
        // A client that wrote the table's first row and reads it back with its token must find it.
        while (known.isEmpty() && waitForRows && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
            known = keyEncodings.of(table);
        }
        return known.orElse(null);
    }

    private Answer readLocal(TableId table, List<String> keyColumns, List<String> keyValues, String store, int partition,
                             LocalReplicas.Role role, Lsn minLsn, Instant deadline, Duration maxWait) throws InterruptedException {
        PartitionProgress progress = reader.awaitLsn(store, partition, minLsn, deadline);
        if (progress.stopped()) {
            return Answer.error(500, "partition " + partition + " of " + table + " stopped: " + progress.stoppedReason())
                    .with(Answer.LSN_HEADER, progress.appliedLsn());
        }
        if (minLsn != null && progress.lsn().compareTo(minLsn) < 0) {
            ObjectNode body = Answer.JSON.createObjectNode();
            body.put("error", "partition " + partition + " of " + table + " (" + role.name().toLowerCase()
                    + " on " + self + ") had not applied LSN " + minLsn + " after " + maxWait.toMillis() + " ms");
            body.put("appliedLsn", progress.appliedLsn());
            return Answer.json(504, body).with(Answer.LSN_HEADER, progress.appliedLsn());
        }
        ReplicaReader.RowRead read = reader.row(store, partition, StoreKeys.row(keyValues), deadline);
        ObjectNode body = Answer.JSON.createObjectNode();
        body.put("table", table.toString());
        ObjectNode key = body.putObject("key");
        for (int i = 0; i < keyValues.size() && i < keyColumns.size(); i++) {
            key.put(keyColumns.get(i), keyValues.get(i));
        }
        if (read.row() == null) {
            body.putNull("row");
        } else {
            ObjectNode row = body.putObject("row");
            for (Map.Entry<String, String> c : read.row().entrySet()) {
                row.put(c.getKey(), c.getValue());
            }
        }
        body.put("partition", partition);
        body.put("lsn", read.progress().appliedLsn());
        body.put("servedBy", self);
        body.put("role", role.name().toLowerCase());
        return Answer.json(read.row() == null ? 404 : 200, body)
                .with(Answer.LSN_HEADER, read.progress().appliedLsn())
                .with(Answer.PARTITION_HEADER, Integer.toString(partition))
                .with(Answer.SERVED_BY_HEADER, self);
    }

    static String hostPort(HostInfo h) {
        return h.host() + ":" + h.port();
    }
}
