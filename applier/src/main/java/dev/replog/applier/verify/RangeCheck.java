package dev.replog.applier.verify;

import dev.replog.applier.verify.ChunkQueries.RowDigest;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Narrows a key range whose checksums differ down to the rows that differ, and, while replication
 * runs, tells a follower that is merely behind from one that is wrong.
 *
 * <p>Online, each round reads the range's rows on the leader in a snapshot with its WAL position L
 * ({@link LeaderSnapshot}), waits until the follower has applied L, reads the follower's rows, and
 * reads the leader again (position L'). The follower's row is then the leader's row as of some
 * point between L and L' (it has everything up to L and nothing committed after its own read). So
 * a row the follower has as the leader had it at L or at L' is equal; a row whose leader version
 * ({@code xmin} and md5) is the same at L and L' but differs on the follower is wrong; any other
 * row changed on the leader meanwhile and is looked at again next round (L' becomes L). A row is
 * reported only after two such rounds found it wrong; rows still changing when the re-check time is
 * up are counted as unsettled, not as differences. Offline (the follower reports no applied LSN)
 * one comparison decides. Every read is bounded by {@code limit} rows.
 */
final class RangeCheck {

    /**
     * @param differences  rows found different (in key order of discovery)
     * @param unsettled    rows that changed on the leader in every round until the re-check time was up
     * @param followerBehind the follower did not reach a leader position within the re-check time (its
     *                     unsettled rows could not be compared)
     * @param overflow     the range held more than the limit of rows on one side: not narrowed, reported as a whole
     */
    record Result(List<RowDifference> differences, int unsettled, boolean followerBehind, boolean overflow) {
        static final Result EQUAL = new Result(List.of(), 0, false, false);
    }

    /** Rounds in a row a difference must be found in while the leader's row stayed as it was. */
    private static final int CONFIRMATIONS = 2;

    private final ChunkQueries queries;
    private final Connection leader;
    private final Connection follower;
    private final boolean online;
    private final Duration recheck;
    private final int limit;

    RangeCheck(ChunkQueries queries, Connection leader, Connection follower, boolean online, Duration recheck, int limit) {
        this.queries = queries;
        this.leader = leader;
        this.follower = follower;
        this.online = online;
        this.recheck = recheck;
        this.limit = limit;
    }

    Result check(KeyRange range) throws SQLException {
        long deadline = System.nanoTime() + recheck.toNanos();
        LeaderSnapshot<List<RowDigest>> before = LeaderSnapshot.take(leader, l -> queries.digests(l, range, true, limit + 1));
        if (!online) {
            List<RowDigest> onFollower = queries.digests(follower, range, false, limit + 1);
            if (before.value().size() > limit || onFollower.size() > limit) {
                return new Result(List.of(), 0, false, true);
            }
            Map<List<String>, RowDigest> l = byKey(before.value());
            Map<List<String>, RowDigest> f = byKey(onFollower);
            List<RowDifference> out = new ArrayList<>();
            for (List<String> key : union(l.keySet(), f.keySet())) {
                if (!sameRow(f.get(key), l.get(key))) {
                    out.add(new RowDifference(key, kind(l.get(key), f.get(key))));
                }
            }
            return new Result(out, 0, false, false);
        }
        Set<List<String>> pending = null;
        Map<List<String>, Integer> stable = new HashMap<>();
        List<RowDifference> out = new ArrayList<>();
        while (true) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            if (!FollowerLsn.await(follower, before.lsn(), left)) {
                return new Result(out, pending == null ? 0 : pending.size(), true, false);
            }
            List<RowDigest> onFollower = queries.digests(follower, range, false, limit + 1);
            LeaderSnapshot<List<RowDigest>> after = LeaderSnapshot.take(leader, l -> queries.digests(l, range, true, limit + 1));
            if (before.value().size() > limit || onFollower.size() > limit || after.value().size() > limit) {
                return new Result(List.of(), 0, false, true);
            }
            Map<List<String>, RowDigest> a = byKey(before.value());
            Map<List<String>, RowDigest> f = byKey(onFollower);
            Map<List<String>, RowDigest> b = byKey(after.value());
            Set<List<String>> next = new LinkedHashSet<>();
            for (List<String> key : pending == null ? union(a.keySet(), f.keySet()) : pending) {
                RowDigest onF = f.get(key);
                if (sameRow(onF, a.get(key)) || sameRow(onF, b.get(key))) {
                    stable.remove(key);
                } else if (sameVersion(a.get(key), b.get(key)) && stable.merge(key, 1, Integer::sum) >= CONFIRMATIONS) {
                    stable.remove(key);
                    out.add(new RowDifference(key, kind(b.get(key), onF)));
                } else {
                    if (!sameVersion(a.get(key), b.get(key))) {
                        stable.remove(key);
                    }
                    next.add(key);
                }
            }
            if (next.isEmpty()) {
                return new Result(out, 0, false, false);
            }
            if (System.nanoTime() >= deadline) {
                return new Result(out, next.size(), false, false);
            }
            pending = next;
            before = after;
        }
    }

    private static Map<List<String>, RowDigest> byKey(List<RowDigest> rows) {
        Map<List<String>, RowDigest> out = new LinkedHashMap<>();
        rows.forEach(r -> out.put(r.key(), r));
        return out;
    }

    private static Set<List<String>> union(Set<List<String>> a, Set<List<String>> b) {
        Set<List<String>> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return out;
    }

    /** The follower's row is the leader's (both absent counts). */
    private static boolean sameRow(RowDigest follower, RowDigest leader) {
        return follower == null ? leader == null : leader != null && follower.md5().equals(leader.md5());
    }

    /** The leader's row is the same version at both reads (both absent counts). */
    private static boolean sameVersion(RowDigest a, RowDigest b) {
        return a == null ? b == null : b != null && a.md5().equals(b.md5()) && Objects.equals(a.version(), b.version());
    }

    private static RowDifference.Kind kind(RowDigest leader, RowDigest follower) {
        if (leader == null) {
            return RowDifference.Kind.EXTRA;
        }
        return follower == null ? RowDifference.Kind.MISSING : RowDifference.Kind.CHANGED;
    }
}
