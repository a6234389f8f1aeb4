package dev.replog.applier.verify;

import dev.replog.applier.verify.ChunkQueries.StoredRow;
import dev.replog.schemas.TableId;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * Copies the leader's version of some rows to the follower, beside a running applier, in one
 * follower transaction that:
 * <ol>
 * <li>locks {@code replog.partition_owners} in EXCLUSIVE mode: every applier transaction that writes
 * rows first locks its partitions' rows there ({@code FOR SHARE}), and every claim writes there, so
 * this waits for the batches in flight to commit and holds every applier of this follower until
 * the repair commits (reads of the table, e.g. {@code replog.applied_lsn()}, go on);</li>
 * <li>reads the follower's applied LSN (reported) and then the leader's rows in a snapshot taken
 * after the lock: the leader's state is at or past everything the follower has applied, since the
 * follower can only have applied what the leader had committed;</li>
 * <li>writes, for each key, the leader's row (insert or update) or removes it (delete), only where
 * the follower's row differs from it, and commits.</li>
 * </ol>
 * The applier then resumes from its stored positions; the changes of those keys it applies next are
 * at or before the leader state written here, or after it, and every change carries the whole row,
 * so the row ends as the leader's (see docs/verify.md).
 */
final class RowRepair {

    /** What one repair transaction did, with the positions it relied on (for the log). */
    record Outcome(TableVerification.Repaired counts, String followerApplied, String leaderRead) {
    }

    /** How long the repair waits for the appliers' batches in flight before it gives up. */
    private static final String LOCK_TIMEOUT = "30s";

    private final ChunkQueries queries;
    private final String upsert;
    private final String delete;

    RowRepair(ChunkQueries queries) {
        this.queries = queries;
        TableShape shape = queries.shape();
        List<String> columns = shape.columns();
        String names = columns.stream().map(c -> quote(c)).collect(Collectors.joining(", "));
        String values = IntStream.range(0, columns.size()).mapToObj(i -> "CAST(? AS " + shape.columnTypes().get(i) + ")")
                .collect(Collectors.joining(", "));
        List<String> rest = columns.stream().filter(c -> !shape.key().contains(c)).toList();
        String onConflict = rest.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + rest.stream().map(c -> quote(c) + " = EXCLUDED." + quote(c)).collect(Collectors.joining(", "));
        this.upsert = "INSERT INTO " + quote(shape.table()) + " (" + names + ") VALUES (" + values + ") ON CONFLICT ("
                + shape.key().stream().map(c -> quote(c)).collect(Collectors.joining(", ")) + ") " + onConflict;
        this.delete = "DELETE FROM " + quote(shape.table()) + " t WHERE " + queries.keyIn();
    }

    TableId table() {
        return queries.shape().table();
    }

    Outcome repair(Connection leader, Connection follower, List<List<String>> keys) throws SQLException {
        follower.setAutoCommit(false);
        try {
            lockOutAppliers(follower);
            String applied = FollowerLsn.applied(follower);
            LeaderSnapshot<Map<List<String>, StoredRow>> onLeader = LeaderSnapshot.take(leader, l -> queries.rows(l, keys));
            Map<List<String>, StoredRow> onFollower = queries.rows(follower, keys);
            List<StoredRow> writes = new ArrayList<>();
            List<List<String>> deletes = new ArrayList<>();
            long inserted = 0;
            long updated = 0;
            for (List<String> key : keys) {
                StoredRow l = onLeader.value().get(key);
                StoredRow f = onFollower.get(key);
                if (l == null) {
                    if (f != null) {
                        deletes.add(key);
                    }
                } else if (f == null) {
                    writes.add(l);
                    inserted++;
                } else if (!f.md5().equals(l.md5())) {
                    writes.add(l);
                    updated++;
                }
            }
            write(follower, writes);
            long deleted = delete(follower, deletes);
            follower.commit();
            return new Outcome(new TableVerification.Repaired(inserted, updated, deleted), applied, onLeader.lsn());
        } catch (SQLException | RuntimeException e) {
            follower.rollback();
            throw e;
        } finally {
            follower.setAutoCommit(true);
        }
    }

    private static void lockOutAppliers(Connection follower) throws SQLException {
        boolean applier;
        try (Statement s = follower.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('replog.partition_owners') IS NOT NULL")) {
            rs.next();
            applier = rs.getBoolean(1);
        }
        if (applier) {
            try (Statement s = follower.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
                s.execute("LOCK TABLE replog.partition_owners IN EXCLUSIVE MODE");
            }
        }
    }

    private void write(Connection follower, List<StoredRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = follower.prepareStatement(upsert)) {
            for (StoredRow row : rows) {
                for (int i = 0; i < row.values().size(); i++) {
                    ps.setString(i + 1, row.values().get(i));
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private long delete(Connection follower, List<List<String>> keys) throws SQLException {
        if (keys.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = follower.prepareStatement(delete)) {
            List<Array> arrays = queries.bindKeys(follower, ps, keys);
            try {
                return ps.executeUpdate();
            } finally {
                for (Array a : arrays) {
                    a.free();
                }
            }
        }
    }
}
