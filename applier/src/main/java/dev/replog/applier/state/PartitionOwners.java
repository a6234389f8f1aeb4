package dev.replog.applier.state;

import org.apache.kafka.common.TopicPartition;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which applier may move each partition's position on this follower: {@code replog.partition_owners},
 * one row per topic-partition with the epoch of its last claim, drawn from the follower's sequence
 * {@code replog.partition_epochs} (so epochs only grow, whatever Kafka does with its groups).
 *
 * <p>An applier claims its partitions in the transaction in which it reads their positions, and
 * every transaction that writes rows and positions first locks its partitions' rows {@code FOR SHARE}
 * and checks that the epochs are still its own ({@link #verify}). The lock makes a claimer wait
 * until an in-flight batch has committed or rolled back, and then read the positions that batch
 * left; a batch that starts after another applier claimed one of its partitions sees the new
 * epoch and rolls back before writing anything. So only the last claimer of a partition moves it,
 * and a stale applier (a long pause, a network partition) can never move the follower backwards.
 */
public final class PartitionOwners {

    /** How long a claim waits for batches in flight on its partitions before it is retried. */
    private static final String CLAIM_LOCK_TIMEOUT = "10s";

    /** A partition another applier claimed since this one did. */
    public record Lost(TopicPartition partition, long heldEpoch, Long currentEpoch, String currentOwner) {
        @Override
        public String toString() {
            return partition + " (claimed here with epoch " + heldEpoch + ", now "
                    + (currentEpoch == null ? "unclaimed" : "epoch " + currentEpoch + " by " + currentOwner) + ")";
        }
    }

    /** Thrown, after nothing was written, by a transaction whose partitions are no longer all this applier's. */
    public static final class FencedException extends RuntimeException {
        private final transient List<Lost> lost;

        FencedException(List<Lost> lost) {
            super("fenced: another applier claimed " + lost);
            this.lost = List.copyOf(lost);
        }

        public List<Lost> lost() {
            return lost;
        }

        public Set<TopicPartition> partitions() {
            Set<TopicPartition> out = new java.util.HashSet<>();
            lost.forEach(l -> out.add(l.partition()));
            return out;
        }
    }

    private static final Comparator<TopicPartition> ORDER =
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    private final String applier;
    private final Map<TopicPartition, Long> held = new HashMap<>();

    /** @param applier this applier's name, recorded with each claim so that others can say who holds a partition */
    public PartitionOwners(String applier) {
        this.applier = applier;
    }

    public static void createIfMissing(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SEQUENCE IF NOT EXISTS replog.partition_epochs");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS replog.partition_owners (
                        topic      text        NOT NULL,
                        partition  integer     NOT NULL,
                        epoch      bigint      NOT NULL,
                        owner      text        NOT NULL,
                        claimed_at timestamptz NOT NULL DEFAULT now(),
                        PRIMARY KEY (topic, partition))""");
        }
    }

    /**
     * Claims partitions with new epochs, in the caller's transaction, which must then read their
     * positions and commit: waits (up to {@value #CLAIM_LOCK_TIMEOUT}, then throws lock_not_available,
     * to be retried) for any batch in flight on them.
     */
    public void claim(Connection c, Collection<TopicPartition> partitions) throws SQLException {
        List<TopicPartition> sorted = new ArrayList<>(partitions);
        sorted.sort(ORDER); // one lock order for every claimer and batch: fewer deadlocks
        Map<TopicPartition, Long> epochs = new HashMap<>();
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '" + CLAIM_LOCK_TIMEOUT + "'");
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO replog.partition_owners (topic, partition, epoch, owner, claimed_at)
                VALUES (?, ?, nextval('replog.partition_epochs'), ?, now())
                ON CONFLICT (topic, partition) DO UPDATE
                SET epoch = nextval('replog.partition_epochs'), owner = EXCLUDED.owner, claimed_at = EXCLUDED.claimed_at
                RETURNING epoch""")) {
            // The epoch of an update is drawn once the row is locked: a partition's epochs only grow.
            for (TopicPartition tp : sorted) {
                ps.setString(1, tp.topic());
                ps.setInt(2, tp.partition());
                ps.setString(3, applier);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    epochs.put(tp, rs.getLong(1));
                }
            }
        }
        // Relied on once the caller commits; if it rolls back instead, its partitions stay unpositioned
        // (never applied) until they are claimed again.
        held.putAll(epochs);
    }

    /**
     * The first statement of every transaction that writes rows and positions of {@code partitions}:
     * locks their owner rows until the transaction ends and checks that this applier's claims still
     * stand.
     *
     * @throws FencedException if another applier claimed one since (the caller rolls back, having written nothing)
     */
    public void verify(Connection c, Collection<TopicPartition> partitions) throws SQLException {
        if (partitions.isEmpty()) {
            return;
        }
        String[] topics = new String[partitions.size()];
        Integer[] numbers = new Integer[partitions.size()];
        int i = 0;
        for (TopicPartition tp : partitions) {
            topics[i] = tp.topic();
            numbers[i++] = tp.partition();
        }
        Map<TopicPartition, Long> current = new HashMap<>();
        Map<TopicPartition, String> owners = new HashMap<>();
        Array t = c.createArrayOf("text", topics);
        Array n = c.createArrayOf("int4", numbers);
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT o.topic, o.partition, o.epoch, o.owner
                FROM replog.partition_owners o JOIN unnest(?::text[], ?::int4[]) AS p(topic, partition)
                  ON o.topic = p.topic AND o.partition = p.partition
                ORDER BY o.topic, o.partition
                FOR SHARE OF o""")) {
            ps.setArray(1, t);
            ps.setArray(2, n);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    TopicPartition tp = new TopicPartition(rs.getString(1), rs.getInt(2));
                    current.put(tp, rs.getLong(3));
                    owners.put(tp, rs.getString(4));
                }
            }
        } finally {
            t.free();
            n.free();
        }
        List<Lost> lost = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            Long mine = held.get(tp);
            Long now = current.get(tp);
            if (mine == null || !mine.equals(now)) {
                lost.add(new Lost(tp, mine == null ? -1 : mine, now, owners.get(tp)));
            }
        }
        if (!lost.isEmpty()) {
            lost.sort(Comparator.comparing(Lost::partition, ORDER));
            throw new FencedException(lost);
        }
    }

    /** Every partition this applier holds a claim on. */
    public Set<TopicPartition> held() {
        return Set.copyOf(held.keySet());
    }

    /** Forgets claims (partitions revoked, lost, or about to be claimed again). */
    public void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(held::remove);
    }

    public void forgetAll() {
        held.clear();
    }
}
