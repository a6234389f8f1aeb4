package dev.replog.serve.store;

import dev.replog.schemas.Lsn;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one local store partition (active or standby) through Kafka Streams' interactive queries:
 * its progress, a row, a prefix of rows. Freshness is this class's job, not the store's: a bound
 * never waits in Kafka Streams, and standbys do not advance offset positions, so a read waits for the
 * partition's applied LSN kept inside the store.
 */
public final class ReplicaReader {

    /** A local read could not be made; the caller answers 503 and the client retries. */
    public static final class NotHere extends RuntimeException {
        public NotHere(String message) {
            super(message);
        }
    }

    /** A row (null if absent) and the applied LSN it reflects. */
    public record RowRead(Map<String, String> row, PartitionProgress progress) {
    }

    /** One entry of a prefix scan. */
    public record ScannedRow(Bytes key, Map<String, String> row) {
    }

    private static final long POLL_MS = 2;
    /** How long a read waits at least for the LSN covering what it read (a watermark is due every 100 ms). */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final KafkaStreams streams;

    public ReplicaReader(KafkaStreams streams) {
        this.streams = streams;
    }

    public PartitionProgress progress(String store, int partition) {
        byte[] bytes = get(store, partition, StoreKeys.PROGRESS);
        return PartitionProgress.fromBytes(bytes);
    }

    /**
     * Waits until the partition has applied {@code minLsn} (null: no wait) or the deadline passes.
     *
     * @return the progress reached: at or past {@code minLsn} unless the deadline passed first
     */
    public PartitionProgress awaitLsn(String store, int partition, Lsn minLsn, Instant deadline) throws InterruptedException {
        PartitionProgress p = progress(store, partition);
        while (minLsn != null && p.lsn().compareTo(minLsn) < 0 && !p.stopped() && Instant.now().isBefore(deadline)) {
            Thread.sleep(POLL_MS);
            p = progress(store, partition);
        }
        return p;
    }

    /**
     * The row, and a progress whose applied LSN covers the whole state the row was read from, so a
     * session that asks for that LSN next, anywhere, never sees an older row. The store may hold a
     * transaction whose commit is not known yet (it is {@link PartitionProgress#ahead() ahead}); then
     * this waits, up to {@code deadline} (at least {@link #CLOSE_WAIT}), for the next commit to be
     * covered: capture's next watermark.
     *
     * @throws NotHere if the state read could not be covered in time
     */
    public RowRead row(String store, int partition, Bytes key, Instant deadline) throws InterruptedException {
        byte[] bytes = get(store, partition, key);
        return new RowRead(bytes == null ? null : StoredRow.read(bytes), covering(store, partition, deadline));
    }

    /** A progress that covers the state as it is now (see {@link #row}). */
    public PartitionProgress covering(String store, int partition, Instant deadline) throws InterruptedException {
        PartitionProgress read = progress(store, partition);
        Instant until = deadline.isAfter(Instant.now().plus(CLOSE_WAIT)) ? deadline : Instant.now().plus(CLOSE_WAIT);
        PartitionProgress p = read;
        while (!p.covers(read) && !p.stopped()) {
            if (!Instant.now().isBefore(until)) {
                throw new NotHere("store " + store + " partition " + partition + " holds changes after LSN " + p.appliedLsn()
                        + " that no watermark has covered yet (is capture.watermark.interval.ms 0?)");
            }
            Thread.sleep(POLL_MS);
            p = progress(store, partition);
        }
        return p;
    }

    public List<ScannedRow> scan(String store, int partition, Bytes from, Bytes to, int limit) {
        StateQueryRequest<KeyValueIterator<Bytes, byte[]>> request = StateQueryRequest.inStore(store)
                .withQuery(RangeQuery.<Bytes, byte[]>withRange(from, to)).withPartitions(Set.of(partition));
        QueryResult<KeyValueIterator<Bytes, byte[]>> result = only(streams.query(request), store, partition);
        List<ScannedRow> rows = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = result.getResult()) {
            while (it.hasNext() && rows.size() < limit) {
                var kv = it.next();
                rows.add(new ScannedRow(kv.key, StoredRow.read(kv.value)));
            }
        }
        return rows;
    }

    private byte[] get(String store, int partition, Bytes key) {
        StateQueryRequest<byte[]> request = StateQueryRequest.inStore(store)
                .withQuery(KeyQuery.<Bytes, byte[]>withKey(key)).withPartitions(Set.of(partition));
        return only(streams.query(request), store, partition).getResult();
    }

    private static <R> QueryResult<R> only(StateQueryResult<R> result, String store, int partition) {
        QueryResult<R> r = result.getPartitionResults().get(partition);
        if (r == null || !r.isSuccess()) {
            throw new NotHere("store " + store + " partition " + partition + " is not readable here"
                    + (r == null ? "" : " (" + r.getFailureReason() + ": " + r.getFailureMessage() + ")"));
        }
        return r;
    }
}
