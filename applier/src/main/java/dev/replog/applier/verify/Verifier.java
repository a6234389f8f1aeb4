package dev.replog.applier.verify;

import dev.replog.schemas.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * {@code replog verify}'s comparison of leader and follower, table by table, while replication may
 * run: each table's primary key is walked on the leader in ranges of {@code chunkRows} rows (keyset
 * pagination, one range ahead of the workers), {@code parallelism} workers compare ranges at once
 * (count and checksum computed inside each database), a range whose checksums differ is narrowed to
 * its rows and re-checked as the follower catches up ({@link RangeCheck}), and with repair the rows
 * found different are copied from the leader ({@link RowRepair}). Memory is bounded by the chunk size
 * times the parallelism, whatever the size of a table.
 */
public final class Verifier implements AutoCloseable {

    /** Differing rows a result names. */
    static final int EXAMPLES = 10;

    private static final Logger log = LoggerFactory.getLogger(Verifier.class);

    private final VerifyOptions options;
    private final Connection walkLeader;
    private final Connection walkFollower;
    private final ChunkWorkers workers;
    private final boolean online;

    public Verifier(SqlConnector leader, SqlConnector follower, VerifyOptions options) throws SQLException {
        this.options = options;
        List<Connection> opened = new ArrayList<>();
        try {
            walkLeader = ChunkWorkers.open(leader);
            opened.add(walkLeader);
            walkFollower = ChunkWorkers.open(follower);
            opened.add(walkFollower);
            // With no re-check time there is nothing to wait for: differences are reported as found.
            online = !options.recheck().isZero() && FollowerLsn.reported(walkFollower);
            workers = new ChunkWorkers(leader, follower, options.parallelism());
        } catch (SQLException e) {
            for (Connection c : opened) {
                c.close();
            }
            throw e;
        }
    }

    /**
     * Whether differing ranges are re-checked as the follower catches up: the follower reports the
     * leader LSN it has applied. If not, differences are reported as first found.
     */
    public boolean online() {
        return online;
    }

    /** The leader connection tables are listed and walked on (for {@link VerifiedTables} and row estimates). */
    public Connection leader() {
        return walkLeader;
    }

    public Connection follower() {
        return walkFollower;
    }

    /** @param rowsDone told the leader rows of each range once it is compared (from the workers' threads) */
    public TableVerification verify(TableId table, LongConsumer rowsDone) throws Exception {
        TableShape shape;
        try {
            shape = TableShape.read(walkLeader, walkFollower, table);
        } catch (TableShape.Uncomparable e) {
            return TableVerification.problem(table, e.getMessage());
        }
        ChunkQueries queries = new ChunkQueries(shape);
        RowRepair repair = options.repair() ? new RowRepair(queries) : null;
        Tally tally = new Tally();
        try {
            List<String> lower = null;
            int index = 0;
            while (true) {
                List<String> upper = queries.nextUpper(walkLeader, lower, options.chunkRows());
                KeyRange range = new KeyRange(lower, upper);
                int chunk = index++;
                workers.submit(sides -> rowsDone.accept(compare(sides, queries, repair, chunk, range, tally)));
                if (upper == null) {
                    break;
                }
                lower = upper;
            }
        } finally {
            awaitWorkers(table);
        }
        return tally.result(shape, options);
    }

    /** Waits for the table's ranges in flight; a database error of any of them fails the table, naming it. */
    private void awaitWorkers(TableId table) throws Exception {
        try {
            workers.awaitIdle();
        } catch (SQLException e) {
            throw new SQLException("comparing " + TableComparison.written(table) + " failed: " + e.getMessage(), e.getSQLState(), e);
        }
    }

    /** Compares one range (and repairs it); returns its leader rows. */
    private long compare(ChunkWorkers.Sides sides, ChunkQueries queries, RowRepair repair, int chunk, KeyRange range, Tally tally)
            throws SQLException {
        ChunkSum onLeader = queries.sum(sides.leader(), range);
        ChunkSum onFollower = queries.sum(sides.follower(), range);
        tally.sums(onLeader, onFollower);
        if (onLeader.equals(onFollower)) {
            return onLeader.rows();
        }
        RangeCheck.Result found = new RangeCheck(queries, sides.leader(), sides.follower(), online, options.recheck(),
                options.narrowingLimit()).check(range);
        String where = range.describe(queries.shape().key());
        tally.found(chunk, where, found, options);
        if (repair != null && !found.differences().isEmpty()) {
            repair(sides, repair, where, found, tally);
        }
        return onLeader.rows();
    }

    private static void repair(ChunkWorkers.Sides sides, RowRepair repair, String where, RangeCheck.Result found, Tally tally) {
        try {
            RowRepair.Outcome done = repair.repair(sides.leader(), sides.follower(),
                    found.differences().stream().map(RowDifference::key).toList());
            tally.repaired(done.counts());
            log.info("repaired {} at {}: {} inserted, {} updated, {} deleted (follower had applied LSN {}, leader read at {})",
                    TableComparison.written(repair.table()), where, done.counts().inserted(), done.counts().updated(),
                    done.counts().deleted(), done.followerApplied() == null ? "none" : done.followerApplied(), done.leaderRead());
        } catch (SQLException e) {
            tally.repairFailed(where + ": " + e.getMessage());
        }
    }

    @Override
    public void close() throws SQLException {
        workers.close();
        try {
            walkLeader.close();
        } finally {
            walkFollower.close();
        }
    }

    /** A table's results as its ranges finish, in any order. */
    private static final class Tally {
        private record Example(int chunk, int order, RowDifference row) {
        }

        private ChunkSum leader = ChunkSum.EMPTY;
        private ChunkSum follower = ChunkSum.EMPTY;
        private int chunks;
        private int differingChunks;
        private long changed;
        private long missing;
        private long extra;
        private long unsettled;
        private int behind;
        private int overflow;
        private int firstChunk = Integer.MAX_VALUE;
        private String firstRange;
        private final List<Example> examples = new ArrayList<>();
        private TableVerification.Repaired repaired = TableVerification.Repaired.NONE;
        private String repairProblem;

        synchronized void sums(ChunkSum l, ChunkSum f) {
            leader = leader.plus(l);
            follower = follower.plus(f);
            chunks++;
        }

        synchronized void found(int chunk, String where, RangeCheck.Result r, VerifyOptions options) {
            unsettled += r.unsettled();
            behind += r.followerBehind() ? 1 : 0;
            overflow += r.overflow() ? 1 : 0;
            if (r.differences().isEmpty() && !r.followerBehind() && !r.overflow()) {
                return;
            }
            differingChunks++;
            for (RowDifference d : r.differences()) {
                switch (d.kind()) {
                    case CHANGED -> changed++;
                    case MISSING -> missing++;
                    case EXTRA -> extra++;
                }
            }
            if (chunk < firstChunk) {
                firstChunk = chunk;
                firstRange = where;
            }
            for (int i = 0; i < Math.min(EXAMPLES, r.differences().size()); i++) {
                examples.add(new Example(chunk, i, r.differences().get(i)));
            }
            examples.sort(Comparator.comparingInt(Example::chunk).thenComparingInt(Example::order));
            while (examples.size() > EXAMPLES) {
                examples.remove(examples.size() - 1);
            }
        }

        synchronized void repaired(TableVerification.Repaired counts) {
            repaired = repaired.plus(counts);
        }

        synchronized void repairFailed(String problem) {
            if (repairProblem == null) {
                repairProblem = problem;
            }
        }

        synchronized TableVerification result(TableShape shape, VerifyOptions options) {
            List<String> unverified = new ArrayList<>(2);
            if (behind > 0) {
                unverified.add(behind + (behind == 1 ? " range" : " ranges") + " not re-checked: the follower did not reach the leader's"
                        + " position within " + options.recheck().toSeconds() + " s (verify.recheck.timeout.ms)");
            }
            if (overflow > 0) {
                unverified.add(overflow + (overflow == 1 ? " range" : " ranges") + " not narrowed to rows: more than "
                        + options.narrowingLimit() + " rows on one side");
            }
            return new TableVerification(shape.table(), null, leader.rows(), follower.rows(), leader.digest(), chunks,
                    options.chunkRows(), differingChunks, changed, missing, extra, unsettled,
                    unverified.isEmpty() ? null : String.join("; ", unverified), firstRange,
                    examples.stream().map(Example::row).toList(),
                    options.repair() ? repaired : null,
                    repairProblem);
        }
    }
}
