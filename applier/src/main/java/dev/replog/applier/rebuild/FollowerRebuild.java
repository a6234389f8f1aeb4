package dev.replog.applier.rebuild;

import com.zaxxer.hikari.HikariDataSource;
import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyException;
import dev.replog.applier.ApplyMode;
import dev.replog.applier.FollowerConnection;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.applier.state.FollowerIdentity;
import dev.replog.applier.state.PositionStore;
import dev.replog.applier.state.StoppedTables;
import dev.replog.applier.state.WatermarkStore;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.topology.Backoff;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * {@code replog follower rebuild}: builds an empty or damaged follower from the log alone (no
 * load on the leader), then follows it live like {@code replog apply}, or stops at a point of the
 * leader's history.
 *
 * <p>The replay is the appliers' own apply path, never a second one: the selected tables are dropped
 * and their state deleted ({@link FollowerReset}), so the applier of the follower's mode starts
 * them from the log's first offset and stores positions exactly as it always does. A live rebuild
 * reports the follower rebuilt once it has applied everything up to {@link LogCut} (the newest
 * watermark every replayed partition had when it started) and then goes on applying in the same
 * process, or stops there ({@code --no-follow}; a later {@code replog apply} continues from the
 * stored positions). A point-in-time rebuild replays the whole log in transactional mode up to the
 * last leader transaction committed at or before the point ({@link PointInTime}), which is exactly
 * the leader's state then, and marks the follower so that no applier follows it afterwards.
 */
public final class FollowerRebuild {

    private static final Logger log = LoggerFactory.getLogger(FollowerRebuild.class);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

    /**
     * @param tables empty rebuilds every table of the log
     * @param toLsn  rebuild as of this LSN and stop (null: follow live)
     * @param toTime rebuild as of the last transaction committed at or before this time and stop
     * @param follow a live rebuild goes on applying once rebuilt (else it stops there)
     */
    public record Request(List<TableId> tables, Lsn toLsn, Instant toTime, boolean follow) {
        public Request {
            tables = List.copyOf(tables);
            if (toLsn != null && toTime != null) {
                throw new IllegalArgumentException("--to-lsn and --to-time exclude each other");
            }
        }

        boolean pointInTime() {
            return toLsn != null || toTime != null;
        }
    }

    private final ApplierSettings settings;
    private final Request request;
    private final RebuildProgress progress;
    private final PrintStream out;

    public FollowerRebuild(ApplierSettings settings, Request request, RebuildProgress progress, PrintStream out) {
        this.settings = settings;
        this.request = request;
        this.progress = progress;
        this.out = out;
    }

    /**
     * Rebuilds the follower.
     *
     * @return the applier that now follows the log (the caller owns it), or null if the rebuild stopped
     *         (a point in time, or {@code follow} false)
     * @throws ApplyException if the rebuild is refused or fails, naming why
     */
    public ApplierService run() {
        if (request.pointInTime() && !request.tables().isEmpty()) {
            throw new ApplyException("--tables cannot be combined with --to-lsn/--to-time: a point-in-time copy is of the "
                    + "whole follower (tables at different points would show a state the leader never had)");
        }
        try (Admin admin = Admin.create(settings.kafka().clientConfig());
             LogReader logReader = new LogReader(settings);
             HikariDataSource pool = onePool();
             Connection c = pool.getConnection()) {
            RunningAppliers.refuse(settings, admin, c);
            // Found once needed (the log's own checks come first): it waits for a transaction after the point.
            PointInTime[] found = {null};
            Supplier<PointInTime> point = () -> {
                if (found[0] == null && request.pointInTime()) {
                    found[0] = request.toLsn() != null
                            ? PointInTime.atLsn(logReader, settings.topics().transactions(), request.toLsn())
                            : PointInTime.atTime(logReader, settings.topics().transactions(), request.toTime());
                }
                return found[0];
            };
            ReplayedLog replayed = ReplayedLog.of(settings, request.tables(), admin, logReader,
                    request.pointInTime() || settings.mode() == ApplyMode.TRANSACTIONAL,
                    copy -> !request.pointInTime() || CopyCut.completeBefore(copy, point.get()));
            List<String> topics = replayed.topics();
            List<TopicPartition> partitions = replayed.partitions();
            Map<TopicPartition, Long> begin = replayed.starts();
            Map<TopicPartition, Long> end = logReader.ends(partitions);
            ReplayProgress replay = new ReplayProgress(partitions, begin, end);
            if (replayed.fromCopies()) {
                return replayFromCopies(replayed, point.get(), logReader, replay, c);
            }
            if (request.pointInTime()) {
                reset(c, ApplyMode.TRANSACTIONAL, point.get().describe(), false);
                replayToPoint(point.get(), replay, c);
                warnOfCopies(logReader, partitions, point.get(), c);
                return null;
            }
            if (settings.mode() == ApplyMode.TRANSACTIONAL && !request.tables().isEmpty()) {
                return replayTablesToWatermark(logReader, topics, replay, c);
            }
            Lsn cut = LogCut.of(logReader, partitions);
            Map<TopicPartition, Long> fromCopies = positionsBefore(begin);
            reset(c, settings.mode(), null, false, fromCopies);
            if (!fromCopies.isEmpty()) {
                log.info("rebuild of follower {}: {} partition(s) start at their table's newest complete copy",
                        settings.follower(), fromCopies.size());
            }
            return replayLive(cut, topics, partitions.size(), replay, c);
        } catch (SQLException e) {
            throw new ApplyException("rebuild of follower " + settings.follower() + " failed: " + e.getMessage(), e);
        }
    }

    private HikariDataSource onePool() {
        FollowerConnection f = settings.follower();
        return f.withPoolSize(1).openPool("replog-rebuild");
    }

    private void reset(Connection c, ApplyMode mode, String pointInTime, boolean wholeLog) throws SQLException {
        reset(c, mode, pointInTime, wholeLog, Map.of());
    }

    private void reset(Connection c, ApplyMode mode, String pointInTime, boolean wholeLog,
                       Map<TopicPartition, Long> startAfter) throws SQLException {
        List<TableId> dropped = FollowerReset.reset(c, settings.topics(), request.tables(), wholeLog, settings.groupId(), mode,
                pointInTime, startAfter);
        log.info("rebuild of follower {}: dropped {} and reset Replog's state of {}", settings.follower(),
                dropped.isEmpty() ? "no table" : dropped, request.tables().isEmpty() ? "the whole follower" : request.tables());
    }

    /**
     * Row mode: the partitions of a table replayed from its newest complete copy get the position just
     * before the copy's start, so the applier (which resumes after a stored position) starts there.
     */
    private static Map<TopicPartition, Long> positionsBefore(Map<TopicPartition, Long> starts) {
        Map<TopicPartition, Long> out = new HashMap<>();
        starts.forEach((tp, offset) -> {
            if (offset > 0) {
                out.put(tp, offset - 1);
            }
        });
        return out;
    }

    private ApplierService replayLive(Lsn cut, List<String> topics, int partitions, ReplayProgress replay, Connection c)
            throws SQLException {
        log.info("rebuild of follower {}: replaying {} table topic(s) from their start (or their newest complete copy) to LSN {} "
                + "in {} mode, then {}",
                settings.follower(), topics.size(), cut, settings.mode().name().toLowerCase(Locale.ROOT),
                request.follow() ? "following the log" : "stopping");
        long started = System.nanoTime();
        ApplierService applier = ApplierService.start(settings);
        try {
            Set<String> reported = new HashSet<>();
            while (!reached(c, cut, topics, partitions)) {
                failIfStopped(applier);
                report(replay.read(c), reported, false);
                Backoff.sleep(PROGRESS_EVERY);
            }
            report(replay.read(c), reported, true);
            summary(applier, started, "to LSN " + cut + (request.follow() ? "; following the log" : "; stopped there (`replog "
                    + "apply` continues from here)"));
            if (!request.follow()) {
                applier.close();
                return null;
            }
            return applier;
        } catch (RuntimeException | SQLException e) {
            applier.close();
            throw e;
        }
    }

    /**
     * Transactional mode (or a point in time) on a log that lost its start: each table's partitions are
     * replayed in row mode from the table's newest complete copy up to a watermark L every partition
     * holds after all those copies ({@link CopyCut}), then the follower is handed over to
     * {@code TransactionalApply} as if it had applied every transaction up to L ({@link CopyHandover}),
     * which goes on with the next one. Until then the follower is being rebuilt and stays recorded
     * in row mode, so no transactional applier runs on it half-built.
     */
    private ApplierService replayFromCopies(ReplayedLog replayed, PointInTime point, LogReader logReader, ReplayProgress replay,
                                           Connection c) throws SQLException {
        CopyCut cut = CopyCut.find(logReader, replayed.starts(), replayed.copies().values(), point == null ? null : point.last());
        String marked = point == null ? null : point.describe();
        reset(c, ApplyMode.ROW, marked, false, positionsBefore(replayed.starts()));
        log.info("rebuild of follower {}: replaying {} table topic(s) in row mode from their newest complete copy (or their "
                + "start) to their watermark {}, then in transactional mode {}", settings.follower(), replayed.topics().size(),
                cut.lsn(), point != null ? "up to LSN " + point.lsn() : request.follow() ? "following the log" : "and stopping");
        long started = System.nanoTime();
        Map<TopicPartition, Long> stops = new HashMap<>();
        cut.offsets().forEach((tp, offset) -> stops.put(tp, offset + 1));
        long rowChanges;
        ApplierService rows = ApplierService.startRowsUntil(settings.withMode(ApplyMode.ROW), stops);
        try {
            Set<String> reported = new HashSet<>();
            while (!replayedTo(c, stops)) {
                failIfStopped(rows);
                report(replay.read(c), reported, false);
                Backoff.sleep(PROGRESS_EVERY);
            }
            rowChanges = rows.appliedCount();
        } finally {
            rows.close();
        }
        CopyHandover.save(c, logReader, settings.topics(), cut);
        FollowerIdentity.rebuilding(c, settings.groupId(), ApplyMode.TRANSACTIONAL, marked);
        c.commit();
        log.info("rebuild of follower {}: replayed the copies to LSN {} ({} changes); transactional apply continues from "
                + "there", settings.follower(), cut.lsn(), rowChanges);
        ApplierSettings transactional = settings.withMode(ApplyMode.TRANSACTIONAL);
        if (point != null) {
            ApplierService applier = ApplierService.startUntil(transactional, point.last());
            try {
                awaitStop(applier, replay, c);
                summary(rowChanges + applier.appliedCount(), started, point.describe().replace("rebuilt ", "")
                        + "; it stays there (a point-in-time copy does not follow the log)");
            } finally {
                applier.close();
            }
            warnOfCopies(logReader, replayed.partitions(), point, c);
            return null;
        }
        report(replay.read(c), new HashSet<>(), true);
        summary(rowChanges, started, "to LSN " + cut.lsn() + (request.follow() ? "; following the log"
                : "; stopped there (`replog apply` continues from here)"));
        return request.follow() ? ApplierService.start(transactional) : null;
    }

    /** Whether every partition's stored position reached the record before its stop. */
    private static boolean replayedTo(Connection c, Map<TopicPartition, Long> stops) throws SQLException {
        try {
            Map<String, PoisonEvent> stopped = StoppedTables.all(c);
            if (!stopped.isEmpty()) {
                PoisonEvent e = stopped.values().iterator().next();
                throw new ApplyException("rebuild stopped at a poison event: " + e.where() + ": " + e.reason()
                        + " (apply.on.error=stop); fix it or set apply.on.error=skip, and rebuild again");
            }
            Map<TopicPartition, Long> at = PositionStore.load(c, stops.keySet());
            return stops.entrySet().stream().allMatch(e -> at.getOrDefault(e.getKey(), -1L) >= e.getValue() - 1);
        } finally {
            c.rollback();
        }
    }

    /**
     * Some tables of a transactional follower: its other tables stay as they are, at its watermark W,
     * so the rebuilt ones must end exactly at W too. The whole log is replayed up to W in commit order
     * (positions and watermark reset), writing only the rebuilt tables; then the follower is where it
     * was, with those tables rebuilt, and follows the log from W (or stops there).
     */
    private ApplierService replayTablesToWatermark(LogReader logReader, List<String> topics, ReplayProgress replay,
                                                   Connection c) throws SQLException {
        Lsn watermark = WatermarkStore.load(c).map(WatermarkStore.Watermark::commitLsn).orElse(null);
        c.rollback();
        if (watermark == null) {
            throw new ApplyException("follower " + settings.follower() + " has no watermark yet (its initial snapshot is "
                    + "not applied): rebuild the whole follower (without --tables)");
        }
        PointInTime.atLsn(logReader, settings.topics().transactions(), watermark); // the log holds a transaction after it
        reset(c, ApplyMode.TRANSACTIONAL, null, true);
        log.info("rebuild of follower {}: replaying the log up to its watermark {}, writing only {}", settings.follower(),
                watermark, request.tables());
        long started = System.nanoTime();
        ApplierService applier = ApplierService.startUntil(settings, watermark, Set.copyOf(topics));
        try {
            awaitStop(applier, replay, c);
            summary(applier, started, "to the follower's watermark " + watermark
                    + (request.follow() ? "; following the log" : "; stopped there (`replog apply` continues from here)"));
        } finally {
            applier.close();
        }
        return request.follow() ? ApplierService.start(settings) : null;
    }

    private void warnOfCopies(LogReader logReader, List<TopicPartition> partitions, PointInTime point, Connection c)
            throws SQLException {
        Map<TopicPartition, Long> stops = PositionStore.load(c, partitions);
        c.rollback();
        for (String topic : CopiesAtPoint.find(logReader, partitions, stops)) {
            String table = PoisonEvent.tableOfTopic(topic);
            log.warn("table {}: capture was copying its rows (a table published while capture ran, or copied again) at "
                    + "LSN {}; copied rows are outside the leader's transactions, so its rows on follower {} may not be "
                    + "exactly the leader's at that point", table, point.lsn(), settings.follower());
            out.printf("WARNING %s: a copy of its rows was in progress at LSN %s: its rows may not be exact%n", table, point.lsn());
        }
    }

    private void replayToPoint(PointInTime point, ReplayProgress replay, Connection c) throws SQLException {
        log.info("rebuild of follower {}: replaying the log in transactional mode up to LSN {}; the follower is marked as "
                + "{}", settings.follower(), point.lsn(), point.describe());
        long started = System.nanoTime();
        ApplierService applier = ApplierService.startUntil(settings.withMode(ApplyMode.TRANSACTIONAL), point.last());
        try {
            awaitStop(applier, replay, c);
            summary(applier, started, point.describe().replace("rebuilt ", "") + "; it stays there (a point-in-time copy "
                    + "does not follow the log)");
        } finally {
            applier.close();
        }
    }

    /** Reports progress until a replay started with a stop point has stopped there. */
    private void awaitStop(ApplierService applier, ReplayProgress replay, Connection c) throws SQLException {
        Set<String> reported = new HashSet<>();
        while (!applier.stopped().isDone()) {
            report(replay.read(c), reported, false);
            Backoff.sleep(PROGRESS_EVERY);
        }
        failIfStopped(applier);
        report(replay.read(c), reported, true);
    }

    private void failIfStopped(ApplierService applier) {
        if (!applier.stopped().isDone()) {
            return;
        }
        try {
            applier.stopped().join();
        } catch (CompletionException e) {
            throw new ApplyException("rebuild of follower " + settings.follower() + " failed: the applier stopped: "
                    + e.getCause().getMessage(), e.getCause());
        }
        if (!applier.reachedStop()) {
            throw new ApplyException("rebuild of follower " + settings.follower() + " stopped before it was complete");
        }
    }

    /** Whether the follower has applied everything up to the cut: of every replayed partition in row mode. */
    private boolean reached(Connection c, Lsn cut, List<String> topics, int partitions) throws SQLException {
        try {
            if (settings.mode() == ApplyMode.TRANSACTIONAL) {
                return WatermarkStore.load(c).map(w -> !cut.isAfter(w.commitLsn())).orElse(false);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM replog.positions WHERE topic = ANY (?) AND watermark_lsn >= ?::pg_lsn")) {
                Array names = c.createArrayOf("text", topics.toArray());
                ps.setArray(1, names);
                ps.setString(2, cut.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) >= partitions;
                }
            }
        } finally {
            c.rollback();
        }
    }

    private void report(Map<String, long[]> tables, Set<String> reported, boolean last) {
        tables.forEach((topic, p) -> {
            String table = PoisonEvent.tableOfTopic(topic);
            progress.table(table, p[0], p[1]);
            if ((last || p[0] >= p[1]) && reported.add(topic)) {
                out.printf("rebuilt %s: %,d of %,d log records%n", table, p[0], p[1]);
            }
        });
    }

    private void summary(ApplierService applier, long startedNanos, String where) {
        summary(applier.appliedCount(), startedNanos, where);
    }

    private void summary(long events, long startedNanos, String where) {
        double seconds = Math.max(0.001, (System.nanoTime() - startedNanos) / 1e9);
        out.printf("rebuilt follower %s: %,d changes applied in %.1f s (%,.0f rows/s), %s%n", settings.follower(), events,
                seconds, events / seconds, where);
    }
}
