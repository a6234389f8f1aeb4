package dev.replog.serve.store;

import dev.replog.schemas.Lsn;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads one local store partition (active or standby) through Kafka Streams' interactive queries:
 * its progress, a row, a prefix of rows. Freshness is this class's job, not the store's: a bound
 * never waits in Kafka Streams, and standbys do not advance offset positions, so a read waits for the
 * partition's applied LSN kept inside the store.
 *
 * <p>Reads go through the classic store API ({@link KafkaStreams#store}), not {@code KafkaStreams.query}:
 * in Kafka Streams 4.3.1 a {@code KeyQuery} or {@code RangeQuery} takes the store's {@code Position}
 * lock and then the store's own, while the stream thread's {@code put} takes them the other way round
 * (KAFKA-19629), so a read during a write could deadlock both threads for good: the partition stopped
 * applying, and every later read of it hung ({@code replog bench --only serve} did, within seconds,
 * at 500 leader tps). The classic API takes only the store's lock.
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
        List<ScannedRow> rows = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = local(store, partition).range(from, to)) {
            while (it.hasNext() && rows.size() < limit) {
                var kv = it.next();
                rows.add(new ScannedRow(kv.key, StoredRow.read(kv.value)));
            }
        } catch (InvalidStateStoreException e) {
            throw notHere(store, partition, e);
        }
        return rows;
    }

    private byte[] get(String store, int partition, Bytes key) {
        try {
            return local(store, partition).get(key);
        } catch (InvalidStateStoreException e) {
            throw notHere(store, partition, e);
        }
    }

    /** The partition's store on this instance, active or standby (stale stores allowed: freshness is checked by LSN). */
    private ReadOnlyKeyValueStore<Bytes, byte[]> local(String store, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<Bytes, byte[]>keyValueStore())
                .withPartition(partition).enableStaleStores());
    }

    private static NotHere notHere(String store, int partition, InvalidStateStoreException e) {
        return new NotHere("store " + store + " partition " + partition + " is not readable here (" + e.getMessage() + ")");
    }
}
