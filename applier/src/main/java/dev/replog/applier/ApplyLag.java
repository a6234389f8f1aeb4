package dev.replog.applier;

import dev.replog.applier.state.WatermarkStore;
import dev.replog.schemas.EnvelopeDecoder;
import dev.replog.schemas.Lsn;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * How far a follower is behind: the committed data records of the table topics beyond the position
 * the follower has stored, the WAL between a source LSN and what the follower has applied, and how
 * long ago the leader committed the oldest change the follower still lacks. Reads only; usable while
 * the applier runs. Not thread-safe.
 *
 * <p>Capture writes each batch as a Kafka transaction, so every batch leaves a commit marker in each
 * partition it touched: a marker takes an offset but is no record an applier can apply, and the log
 * end offset is one past it. Pending records are therefore read, not subtracted: a read-committed
 * consumer returns the data records after the stored position (neither markers nor aborted batches),
 * up to the last stable offset, capture's watermarks left out. A partition more than {@link #READ_LIMIT}
 * offsets behind is counted by offsets instead (its markers and watermarks included), and the result
 * says it is not exact.
 */
public final class ApplyLag implements AutoCloseable {

    /** Offsets behind, per partition, up to which pending records are read and counted exactly. */
    static final int READ_LIMIT = 2_000;

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /**
     * @param records      committed data records not yet applied, over all table topics
     * @param exact        false if a partition was too far behind to read, and its offsets were counted
     * @param walBytes     WAL bytes from the follower's applied LSN to the given source LSN; null if
     *                     either is unknown
     * @param behindCommit how long ago the leader committed the oldest change not yet applied (zero
     *                     when nothing is pending); null if no pending change says when it was committed
     */
    public record Lag(long records, boolean exact, Long walBytes, Duration behindCommit) {

        public boolean caughtUp() {
            return records == 0;
        }

        /** E.g. {@code 12 events, 3.1 kB WAL, 0.4 s behind}. */
        public String describe() {
            return (exact ? "" : "~") + records + " events, " + (walBytes == null ? "?" : bytes(walBytes)) + " WAL, "
                    + (behindCommit == null ? "?" : String.format("%.1f", behindCommit.toMillis() / 1000.0)) + " s behind";
        }

        /** A byte count for people: {@code 512 B}, {@code 3.1 kB}, {@code 12.0 MB}. */
        public static String bytes(long b) {
            return b < 1024 ? b + " B" : b < 1024 * 1024 ? String.format("%.1f kB", b / 1024.0) : String.format("%.1f MB", b / 1048576.0);
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicNames topics;
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();

    public ApplyLag(KafkaSettings kafka, TopicNames topics) {
        Properties p = kafka.clientConfig();
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("client.id", "replog-lag-" + topics.prefix());
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topics = topics;
    }

    /** Committed data records in the log not yet applied to the follower, summed over all table topics. */
    public long pendingRecords(Connection follower) throws SQLException {
        return measure(follower, null).records();
    }

    /**
     * The follower's lag.
     *
     * @param sourceEnd the LSN to measure WAL lag to: capture's last published LSN (then the lag is
     *                  zero once the follower has applied everything published) or the leader's
     *                  {@code pg_current_wal_lsn()}; null for no WAL figure
     */
    public Lag measure(Connection follower, Lsn sourceEnd) throws SQLException {
        Measurement m = measurement(follower);
        Lsn through = appliedThrough(follower, m.applied, m.pending.partitions());
        Long walBytes = sourceEnd == null || through == null ? null : Math.max(0, sourceEnd.value() - through.value());
        Instant oldest = m.pending.oldestCommit();
        Duration behind = m.pending.total() == 0 ? Duration.ZERO : oldest == null ? null : since(oldest);
        return new Lag(m.pending.total(), m.pending.inexact.isEmpty(), walBytes, behind);
    }

    /**
     * One table partition's lag, as {@link Lag} says it for the whole follower.
     *
     * @param appliedOffset   the offset of the last record applied; null if the follower has no position
     * @param appliedLsn      the LSN of the last change applied; null if none says
     * @param walBytes        WAL bytes from {@code appliedLsn} to the source LSN measured to (zero when
     *                        nothing is pending); null if either is unknown
     * @param snapshotPending whether a snapshot row is among the records read that are not yet applied
     */
    public record PartitionLag(TopicPartition partition, Long appliedOffset, Lsn appliedLsn, long records, boolean exact,
                               Long walBytes, Duration behindCommit, boolean snapshotPending) {
    }

    /**
     * The lag of every partition of every table topic in the log, whether the follower has a
     * position for it or not.
     *
     * @param sourceEnd as for {@link #measure}
     */
    public List<PartitionLag> measurePartitions(Connection follower, Lsn sourceEnd) throws SQLException {
        Measurement m = measurement(follower);
        Lsn watermark = watermark(follower);
        List<PartitionLag> out = new ArrayList<>();
        for (TopicPartition tp : m.partitions) {
            Applied a = m.applied.get(tp);
            Lsn lsn = a == null ? null : a.lsn();
            if (watermark != null && (lsn == null || watermark.isAfter(lsn))) {
                lsn = watermark;
            }
            long records = m.pending.records.getOrDefault(tp, 0L);
            Instant first = m.pending.firstCommit.get(tp);
            Long walBytes = records == 0 ? Long.valueOf(0) : sourceEnd == null || lsn == null ? null
                    : Math.max(0, sourceEnd.value() - lsn.value());
            Duration behind = records == 0 ? Duration.ZERO : first == null ? null : since(first);
            out.add(new PartitionLag(tp, a == null ? null : a.offset(), lsn, records, !m.pending.inexact.contains(tp),
                    walBytes, behind, m.pending.snapshotRows.contains(tp)));
        }
        return out;
    }

    /** The follower's stored positions, the log's table partitions and what lies pending in them. */
    private record Measurement(Map<TopicPartition, Applied> applied, List<TopicPartition> partitions, Pending pending) {
    }

    private Measurement measurement(Connection follower) throws SQLException {
        Map<TopicPartition, Applied> applied = appliedPositions(follower);
        try {
            List<TopicPartition> partitions = tablePartitions();
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, TIMEOUT);
            Map<TopicPartition, Long> from = new HashMap<>();
            for (TopicPartition tp : partitions) {
                Applied a = applied.get(tp);
                long next = Math.max(a == null ? 0 : a.offset() + 1, starts.getOrDefault(tp, 0L));
                if (ends.getOrDefault(tp, 0L) > next) {
                    from.put(tp, next);
                }
            }
            return new Measurement(applied, partitions, read(from, ends));
        } catch (KafkaException e) {
            throw new ApplyException("cannot read the log's positions from Kafka: " + e.getMessage(), e);
        }
    }

    private static Duration since(Instant commit) {
        return max(Duration.ZERO, Duration.between(commit, Instant.now()));
    }

    private List<TopicPartition> tablePartitions() {
        List<TopicPartition> out = new ArrayList<>();
        for (Map.Entry<String, List<PartitionInfo>> e : consumer.listTopics(TIMEOUT).entrySet()) {
            if (topics.isTableTopic(e.getKey())) {
                e.getValue().forEach(p -> out.add(new TopicPartition(p.topic(), p.partition())));
            }
        }
        return out;
    }

    /** Per partition: committed data records pending, the first one's commit time, whether a snapshot row is among them. */
    private static final class Pending {
        final Map<TopicPartition, Long> records = new HashMap<>();
        final Set<TopicPartition> inexact = new HashSet<>();
        final Map<TopicPartition, Instant> firstCommit = new HashMap<>();
        final Set<TopicPartition> snapshotRows = new HashSet<>();

        void add(TopicPartition tp, long n) {
            records.merge(tp, n, Long::sum);
        }

        long total() {
            return records.values().stream().mapToLong(Long::longValue).sum();
        }

        Set<TopicPartition> partitions() {
            return records.keySet();
        }

        Instant oldestCommit() {
            return firstCommit.values().stream().min(Instant::compareTo).orElse(null);
        }
    }

    /**
     * Reads, from each partition's first unapplied offset up to its last stable offset, the committed
     * data records (at most {@link #READ_LIMIT} offsets per partition; beyond that the offsets are
     * counted) and the commit time of each partition's first one.
     */
    private Pending read(Map<TopicPartition, Long> from, Map<TopicPartition, Long> ends) {
        Pending out = new Pending();
        if (from.isEmpty()) {
            return out;
        }
        consumer.resume(consumer.paused());
        consumer.assign(from.keySet());
        Set<TopicPartition> open = new HashSet<>(from.keySet());
        Set<TopicPartition> counted = new HashSet<>();
        for (Map.Entry<TopicPartition, Long> e : from.entrySet()) {
            consumer.seek(e.getKey(), e.getValue());
            if (ends.get(e.getKey()) - e.getValue() > READ_LIMIT) {
                counted.add(e.getKey());
                out.add(e.getKey(), ends.get(e.getKey()) - e.getValue());
                out.inexact.add(e.getKey());
            }
        }
        Set<TopicPartition> firstSeen = new HashSet<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (!open.contains(tp) || r.offset() >= ends.get(tp) || LogRecords.isWatermark(r)) {
                    continue; // a watermark of capture's is nothing to apply
                }
                if (firstSeen.add(tp)) {
                    Instant commit = commitTime(r);
                    if (commit != null) {
                        out.firstCommit.put(tp, commit);
                    }
                }
                if (LogRecords.isSnapshot(r)) {
                    out.snapshotRows.add(tp);
                }
                out.add(tp, counted.contains(tp) ? 0 : 1);
            }
            for (TopicPartition tp : List.copyOf(open)) {
                // The position moves past markers and aborted batches as well as records.
                if (consumer.position(tp) >= ends.get(tp) || (counted.contains(tp) && firstSeen.contains(tp))) {
                    open.remove(tp);
                    consumer.pause(List.of(tp));
                }
            }
        }
        for (TopicPartition tp : open) {
            if (!counted.contains(tp)) {
                // Not read in time: the rest of its offsets count, markers and all.
                out.add(tp, Math.max(0, ends.get(tp) - consumer.position(tp)));
                out.inexact.add(tp);
            }
        }
        return out;
    }

    /** When the leader committed the record's change; null for a tombstone or a record that does not say. */
    private Instant commitTime(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return null;
        }
        try {
            return decoder.decode(r.key(), r.value()).source().commitTime();
        } catch (RuntimeException notAnEnvelope) {
            return null;
        }
    }

    /**
     * The LSN up to which the follower has applied every captured change: the watermark of a
     * transactional follower; else, of the partitions that still have records pending, the lowest
     * LSN applied, or, when none has, the highest LSN applied anywhere. Null if nothing says.
     */
    private Lsn appliedThrough(Connection follower, Map<TopicPartition, Applied> applied, Set<TopicPartition> behind)
            throws SQLException {
        Lsn rowMode = null;
        boolean unknown = false;
        if (behind.isEmpty()) {
            for (Applied a : applied.values()) {
                if (a.lsn() != null && (rowMode == null || a.lsn().isAfter(rowMode))) {
                    rowMode = a.lsn();
                }
            }
        } else {
            for (TopicPartition tp : behind) {
                Applied a = applied.get(tp);
                if (a == null || a.lsn() == null) {
                    unknown = true;
                } else if (rowMode == null || rowMode.isAfter(a.lsn())) {
                    rowMode = a.lsn();
                }
            }
        }
        Lsn watermark = watermark(follower);
        if (unknown) {
            rowMode = null;
        }
        if (watermark == null) {
            return rowMode;
        }
        return rowMode == null || watermark.isAfter(rowMode) ? watermark : rowMode;
    }

    /** A transactional follower's watermark: every leader transaction committed at or before it is applied. */
    private static Lsn watermark(Connection follower) throws SQLException {
        return WatermarkStore.load(follower).map(WatermarkStore.Watermark::commitLsn).orElse(null);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private record Applied(long offset, Lsn lsn) {
    }

    private Map<TopicPartition, Applied> appliedPositions(Connection c) throws SQLException {
        Map<TopicPartition, Applied> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT topic, partition, kafka_offset, source_lsn::text, applied_order FROM replog.positions");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (topics.isTableTopic(rs.getString(1))) {
                    // source_lsn stays where it was when a poll ends with a delete's tombstone (it carries no
                    // LSN header), so the LSN of the last change applied, from applied_order, is taken too.
                    Lsn lsn = rs.getString(4) == null ? null : Lsn.parse(rs.getString(4));
                    Lsn order = orderLsn(rs.getString(5));
                    if (order != null && (lsn == null || order.isAfter(lsn))) {
                        lsn = order;
                    }
                    out.put(new TopicPartition(rs.getString(1), rs.getInt(2)), new Applied(rs.getLong(3), lsn));
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return out; // the applier has not prepared this follower yet
            }
            throw e;
        }
        return out;
    }

    /** The change LSN of a stored {@link SourceOrder#encode()}, null if there is none. */
    private static Lsn orderLsn(String encoded) {
        String[] parts = encoded == null ? new String[0] : encoded.split(" ");
        try {
            return parts.length == 3 ? Lsn.parse(parts[1]) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
