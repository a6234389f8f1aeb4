package dev.replog.applier.verify;

import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Compares one table on the leader and a follower, chunk by chunk: the leader's primary key is
 * walked in chunks of at most {@code chunkRows} rows (keyset pagination), and each chunk's key range
 * gets a row count and checksum computed inside each database ({@link ChunkSum}). Memory and every
 * value PostgreSQL builds are bounded by the chunk, not the table. The first range whose sums differ
 * is named, so an operator can look at those rows.
 *
 * @param chunks          key ranges compared (the first has no lower bound, the last no upper bound)
 * @param differingChunks of those, how many differ
 * @param firstDifference the first differing range and both sides' row counts in it; null if none
 * @param problem         why the table could not be compared (it is then a mismatch); null if it was
 */
public record TableComparison(TableId table, TableChecksum leader, TableChecksum follower, int chunks, int chunkRows,
                              int differingChunks, String firstDifference, String problem) {

    /** Rows per chunk when none is given: few round trips, and a chunk's work stays well under a second. */
    public static final int DEFAULT_CHUNK_ROWS = 10_000;

    public boolean matches() {
        return problem == null && differingChunks == 0;
    }

    public static TableComparison compare(Connection leaderDb, Connection followerDb, TableId table) throws SQLException {
        return compare(leaderDb, followerDb, table, DEFAULT_CHUNK_ROWS);
    }

    public static TableComparison compare(Connection leaderDb, Connection followerDb, TableId table, int chunkRows)
            throws SQLException {
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunk rows must be at least 1, not " + chunkRows);
        }
        TableShape shape;
        try {
            shape = TableShape.read(leaderDb, followerDb, table);
        } catch (TableShape.Uncomparable e) {
            return problem(table, e.getMessage());
        }
        List<String> key = shape.key();
        ChunkQueries queries = new ChunkQueries(shape);
        // The follower computes a range's checksum while the leader computes its own.
        ExecutorService followerSide = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "replog-verify-follower");
            t.setDaemon(true);
            return t;
        });
        try {
            return walk(leaderDb, followerDb, table, key, queries, chunkRows, followerSide);
        } finally {
            followerSide.shutdownNow();
        }
    }

    private static TableComparison walk(Connection leaderDb, Connection followerDb, TableId table, List<String> key,
                                        ChunkQueries queries, int chunkRows, ExecutorService followerSide) throws SQLException {
        ChunkSum leaderTotal = ChunkSum.EMPTY;
        ChunkSum followerTotal = ChunkSum.EMPTY;
        int chunks = 0;
        int differing = 0;
        String first = null;
        List<String> lower = null;
        while (true) {
            List<String> upper = queries.nextUpper(leaderDb, lower, chunkRows);
            KeyRange range = new KeyRange(lower, upper);
            Future<ChunkSum> follower = followerSide.submit(() -> queries.sum(followerDb, range));
            ChunkSum onLeader = queries.sum(leaderDb, range);
            ChunkSum onFollower = result(follower);
            chunks++;
            leaderTotal = leaderTotal.plus(onLeader);
            followerTotal = followerTotal.plus(onFollower);
            if (!onLeader.equals(onFollower)) {
                differing++;
                if (first == null) {
                    first = range.describe(key) + ": leader " + onLeader.rows() + " rows, follower " + onFollower.rows() + " rows";
                }
            }
            if (upper == null) {
                break;
            }
            lower = upper;
        }
        return new TableComparison(table, new TableChecksum(leaderTotal.rows(), leaderTotal.digest()),
                new TableChecksum(followerTotal.rows(), followerTotal.digest()), chunks, chunkRows, differing, first, null);
    }

    private static ChunkSum result(Future<ChunkSum> f) throws SQLException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw new IllegalStateException("follower checksum failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the follower computed a checksum", e);
        }
    }

    private static TableComparison problem(TableId table, String problem) {
        return new TableComparison(table, null, null, 0, 0, 0, null, problem);
    }

    /** The table as it is written in {@code capture.tables}: a name with '.', ',', '"' or outer spaces in double quotes. */
    public String tableName() {
        return written(table);
    }

    static String written(TableId table) {
        return written(table.schema()) + "." + written(table.table());
    }

    private static String written(String name) {
        boolean plain = !name.isEmpty() && name.strip().equals(name) && name.chars().noneMatch(ch -> ch == '.' || ch == ',' || ch == '"');
        return plain ? name : SqlIdentifiers.quote(name);
    }

    /** One line for an operator: verdict, counts, chunks and, for a mismatch, the first differing key range. */
    public String describe() {
        if (problem != null) {
            return String.format("%-9s %s: %s", "MISMATCH", tableName(), problem);
        }
        String chunking = chunks + (chunks == 1 ? " chunk" : " chunks") + " of up to " + chunkRows + " rows";
        if (matches()) {
            return String.format("%-9s %s: %d rows in %s, checksum %s", "MATCH", tableName(), leader.rows(), chunking, leader.digest());
        }
        return String.format("%-9s %s: leader %d rows, follower %d rows; %d of %s differ, the first at key range %s",
                "MISMATCH", tableName(), leader.rows(), follower.rows(), differingChunks, chunking, firstDifference);
    }
}
