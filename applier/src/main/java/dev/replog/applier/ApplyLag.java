package dev.replog.applier;

import dev.replog.applier.state.WatermarkStore;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.compact.LogDecoder;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.SchemaTopicLookup;
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
import java.util.TreeMap;

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

        public static String bytes(long b) {
            return b < 1024 ? b + " B" : b < 1024 * 1024 ? String.format("%.1f kB", b / 1024.0) : String.format("%.1f MB", b / 1048576.0);
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicNames topics;
    private final LogDecoder decoder;

    public ApplyLag(KafkaSettings kafka, TopicNames topics) {
        this.decoder = new LogDecoder(new SchemaTopicLookup(kafka.clientConfig(), topics.schemas()));
        Properties p = kafka.clientConfig();
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("client.id", "replog-lag-" + topics.prefix());
        // It runs beside an applier in the same heap (ApplyMonitor): a small fetch buffer, however many
        // partitions are behind; it only counts what it reads.
        p.put("fetch.max.bytes", Integer.toString(4 * 1024 * 1024));
        p.put("max.partition.fetch.bytes", Integer.toString(1024 * 1024));
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
     *                  {@code pg_current_wal_lsn()}; null for the newest change pending in the log (a
     *                  partition too far behind to read counts with its first pending change, so the
     *                  figure is then a lower bound), zero when nothing is pending
     */
    public Lag measure(Connection follower, Lsn sourceEnd) throws SQLException {
        Reading r = read(follower);
        return r.lag(r.pending.keySet(), sourceEnd);
    }

    /**
     * The follower's lag per table topic (every table topic in Kafka, caught up ones included), WAL
     * measured to the newest change pending in the log, as {@link #measure} with no source LSN.
     */
    public Map<String, Lag> measureByTopic(Connection follower) throws SQLException {
        Reading r = read(follower);
        Map<String, Set<TopicPartition>> byTopic = new TreeMap<>();
        for (TopicPartition tp : r.pending.keySet()) {
            byTopic.computeIfAbsent(tp.topic(), t -> new HashSet<>()).add(tp);
        }
        Map<String, Lag> out = new TreeMap<>();
        for (Map.Entry<String, Set<TopicPartition>> e : byTopic.entrySet()) {
            out.put(e.getKey(), r.lag(e.getValue(), null));
        }
        return out;
    }

    /**
     * One table partition's lag, as {@link Lag} says it for the whole follower.
     *
     * @param appliedOffset   the offset of the last record applied; null if the follower has no position
     * @param appliedLsn      the LSN of the last change applied (or the watermark, if higher); null if none says
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
        Reading r = read(follower);
        List<PartitionLag> out = new ArrayList<>();
        for (Map.Entry<TopicPartition, Pending> e : r.pending.entrySet()) {
            TopicPartition tp = e.getKey();
            Pending p = e.getValue();
            Applied a = r.applied.get(tp);
            Lsn lsn = a == null ? null : a.lsn();
            if (r.watermark != null && (lsn == null || r.watermark.isAfter(lsn))) {
                lsn = r.watermark;
            }
            Lsn end = sourceEnd == null ? null : later(sourceEnd, p.newestLsn);
            Long walBytes = p.records == 0 ? Long.valueOf(0) : end == null || lsn == null ? null
                    : Math.max(0, end.value() - lsn.value());
            Duration behind = p.records == 0 ? Duration.ZERO : p.firstCommit == null ? null
                    : max(Duration.ZERO, Duration.between(p.firstCommit, Instant.now()));
            out.add(new PartitionLag(tp, a == null ? null : a.offset(), lsn, p.records, p.exact, walBytes, behind,
                    p.snapshotRows));
        }
        out.sort(java.util.Comparator.comparing((PartitionLag l) -> l.partition().topic())
                .thenComparingInt(l -> l.partition().partition()));
        return out;
    }

    /** What the follower has applied and what the log holds beyond it, per table partition. */
    private static final class Reading {
        final Map<TopicPartition, Applied> applied;
        final Map<TopicPartition, Pending> pending;
        final Lsn watermark;

        Reading(Map<TopicPartition, Applied> applied, Map<TopicPartition, Pending> pending, Lsn watermark) {
            this.applied = applied;
            this.pending = pending;
            this.watermark = watermark;
        }

        Lag lag(Set<TopicPartition> partitions, Lsn sourceEnd) {
            long records = 0;
            boolean exact = true;
            Instant oldestCommit = null;
            Lsn newest = null;
            Set<TopicPartition> behind = new HashSet<>();
            for (TopicPartition tp : partitions) {
                Pending p = pending.get(tp);
                records += p.records;
                exact &= p.exact;
                if (p.records > 0) {
                    behind.add(tp);
                }
                if (p.firstCommit != null && (oldestCommit == null || p.firstCommit.isBefore(oldestCommit))) {
                    oldestCommit = p.firstCommit;
                }
                if (p.newestLsn != null && (newest == null || p.newestLsn.isAfter(newest))) {
                    newest = p.newestLsn;
                }
            }
            Lsn through = appliedThrough(applied, behind, watermark);
            // A change can be in the log before capture's END of its transaction (a later Kafka transaction):
            // the lag reaches at least to the newest change pending.
            Lsn end = later(sourceEnd, newest);
            Long walBytes = sourceEnd == null && records == 0 ? Long.valueOf(0)
                    : end == null || through == null ? null : Math.max(0, end.value() - through.value());
            Duration behindCommit = records == 0 ? Duration.ZERO : oldestCommit == null ? null
                    : max(Duration.ZERO, Duration.between(oldestCommit, Instant.now()));
            return new Lag(records, exact, walBytes, behindCommit);
        }
    }

    private Reading read(Connection follower) throws SQLException {
        // The watermark first: reading positions of a follower not prepared yet ends the transaction in an error.
        Lsn watermark = WatermarkStore.load(follower).map(WatermarkStore.Watermark::commitLsn).orElse(null);
        Map<TopicPartition, Applied> applied = appliedPositions(follower);
        try {
            List<TopicPartition> partitions = tablePartitions();
            // Every table partition is assigned, paused but while it is read, and before its offsets are
            // asked: the consumer keeps the last stable offset of assigned partitions only (and warns about
            // each other one), and the same assignment at each measurement leaves no fetch in flight behind.
            consumer.assign(partitions);
            consumer.pause(partitions);
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
            Map<TopicPartition, Pending> pending = new HashMap<>();
            partitions.forEach(tp -> pending.put(tp, new Pending()));
            read(from, ends, pending);
            return new Reading(applied, pending, watermark);
        } catch (KafkaException e) {
            throw new ApplyException("cannot read the log's positions from Kafka: " + e.getMessage(), e);
        }
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

    /** One partition's committed data records beyond what the follower applied. */
    private static final class Pending {
        long records;
        boolean exact = true;
        /** When the leader committed the first pending change. */
        Instant firstCommit;
        /** The newest pending change's LSN, as far as it was read. */
        Lsn newestLsn;
        /** Whether a snapshot row is among the pending records read. */
        boolean snapshotRows;
    }

    /**
     * Reads, from each partition's first unapplied offset up to its last stable offset, the committed
     * data records (at most {@link #READ_LIMIT} offsets per partition; beyond that the offsets are
     * counted) and the commit time of each partition's first one.
     */
    private void read(Map<TopicPartition, Long> from, Map<TopicPartition, Long> ends, Map<TopicPartition, Pending> out) {
        if (from.isEmpty()) {
            return;
        }
        consumer.resume(from.keySet());
        Set<TopicPartition> open = new HashSet<>(from.keySet());
        Set<TopicPartition> counted = new HashSet<>();
        for (Map.Entry<TopicPartition, Long> e : from.entrySet()) {
            consumer.seek(e.getKey(), e.getValue());
            if (ends.get(e.getKey()) - e.getValue() > READ_LIMIT) {
                counted.add(e.getKey());
                Pending p = out.get(e.getKey());
                p.records += ends.get(e.getKey()) - e.getValue();
                p.exact = false;
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
                Pending p = out.get(tp);
                if (firstSeen.add(tp)) {
                    p.firstCommit = commitTime(r);
                }
                if (LogRecords.isSnapshot(r)) {
                    p.snapshotRows = true;
                }
                Lsn lsn = LogRecords.lsn(r);
                if (lsn != null && (p.newestLsn == null || lsn.isAfter(p.newestLsn))) {
                    p.newestLsn = lsn;
                }
                if (!counted.contains(tp)) {
                    p.records++;
                }
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
                Pending p = out.get(tp);
                p.records += Math.max(0, ends.get(tp) - consumer.position(tp));
                p.exact = false;
            }
        }
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
    private static Lsn appliedThrough(Map<TopicPartition, Applied> applied, Set<TopicPartition> behind, Lsn watermark) {
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
        if (unknown) {
            rowMode = null;
        }
        if (watermark == null) {
            return rowMode;
        }
        return rowMode == null || watermark.isAfter(rowMode) ? watermark : rowMode;
    }

    /** The later of two LSNs, either may be null. */
    private static Lsn later(Lsn a, Lsn b) {
        return a == null ? b : b == null || !b.isAfter(a) ? a : b;
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
