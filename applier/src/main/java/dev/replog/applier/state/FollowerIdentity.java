package dev.replog.applier.state;

import dev.replog.applier.ApplyException;
import dev.replog.applier.ApplyMode;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Who feeds this follower, {@code replog.follower}: a random follower id made when the follower is
 * first applied to, and the {@code apply.group.id} and {@code apply.mode} that feed it. An applier
 * of another group or mode refuses to start (two groups would both apply every partition, and fence
 * each other back and forth). Appliers commit their Kafka offsets (for monitoring) with the follower
 * id as metadata, so an applier whose group's offsets were committed for another follower refuses
 * too: two followers sharing one group would each get only part of the log.
 *
 * @param followerId the follower's id
 * @param groupId    this applier's {@code apply.group.id}
 * @param follower   the follower, for messages ({@code user@host:port/db})
 * @param applier    this applier's name in {@code replog.partition_owners} and in logs
 */
public record FollowerIdentity(String followerId, String groupId, String follower, String applier) {

    private static final String METADATA_PREFIX = "replog-follower=";

    public static void createIfMissing(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS replog.follower (
                        singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
                        follower_id text        NOT NULL,
                        group_id    text        NOT NULL,
                        mode        text        NOT NULL,
                        since       timestamptz NOT NULL DEFAULT now())""");
            // Set on a point-in-time copy (replog follower rebuild --to-lsn): no applier follows it.
            s.execute("ALTER TABLE replog.follower ADD COLUMN IF NOT EXISTS point_in_time text");
        }
    }

    /**
     * Refuses to apply to a point-in-time copy: it holds the leader's state at one LSN, and applying
     * the log after it would make it a live follower behind the operator's back.
     *
     * @throws ApplyException with the copy's LSN and time, and the remedy
     */
    public static void refusePointInTime(Connection c, String follower) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT point_in_time FROM replog.follower WHERE point_in_time IS NOT NULL")) {
            if (rs.next()) {
                throw new ApplyException("follower " + follower + " was " + rs.getString(1) + "; a point-in-time copy "
                        + "does not follow the log: run `replog follower rebuild` without --to-lsn/--to-time to make it "
                        + "follow live");
            }
        }
    }

    /**
     * Makes the follower's record fit a rebuild: the mode it is rebuilt in, and the point in time it
     * is a copy of (null: it follows the log). Its id and group stay, so the group's committed
     * offsets still name it.
     */
    public static void rebuilding(Connection c, String groupId, ApplyMode mode, String pointInTime) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO replog.follower (follower_id, group_id, mode, point_in_time) VALUES (?, ?, ?, ?)
                ON CONFLICT (singleton) DO UPDATE
                SET group_id = EXCLUDED.group_id, mode = EXCLUDED.mode, point_in_time = EXCLUDED.point_in_time,
                    since = now()""")) {
            ps.setString(1, UUID.randomUUID().toString());
            ps.setString(2, groupId);
            ps.setString(3, mode.name().toLowerCase(Locale.ROOT));
            ps.setString(4, pointInTime);
            ps.executeUpdate();
        }
    }

    /**
     * Records this group and mode on a follower nobody fed yet, or checks they are the ones it has.
     *
     * @throws ApplyException naming both groups (or modes) and the remedy, if they differ
     */
    public static FollowerIdentity establish(Connection c, String groupId, ApplyMode mode, String follower) throws SQLException {
        String modeName = mode.name().toLowerCase(Locale.ROOT);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO replog.follower (follower_id, group_id, mode) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, UUID.randomUUID().toString());
            ps.setString(2, groupId);
            ps.setString(3, modeName);
            ps.executeUpdate();
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT follower_id, group_id, mode, since::text FROM replog.follower")) {
            rs.next();
            String id = rs.getString(1);
            String group = rs.getString(2);
            String recordedMode = rs.getString(3);
            String since = rs.getString(4);
            if (!group.equals(groupId)) {
                throw new ApplyException("follower " + follower + " is fed by apply.group.id '" + group + "' (apply.mode "
                        + recordedMode + ", since " + since + "), not '" + groupId + "': two groups would each apply every "
                        + "partition to it. Set apply.group.id=" + group + "; or, if group '" + group + "' runs nowhere any "
                        + "more, hand the follower over by running on it: UPDATE replog.follower SET group_id = '"
                        + groupId.replace("'", "''") + "'");
            }
            if (!recordedMode.equals(modeName)) {
                throw new ApplyException("follower " + follower + " is applied in apply.mode=" + recordedMode + " (group '"
                        + group + "', since " + since + "), not " + modeName + ": a follower keeps the mode it was built "
                        + "with. Set apply.mode=" + recordedMode + ", or build a new follower (an empty database) for apply.mode="
                        + modeName);
            }
            String applier = groupId + " " + ManagementFactory.getRuntimeMXBean().getName() + " #"
                    + UUID.randomUUID().toString().substring(0, 8);
            return new FollowerIdentity(id, groupId, follower, applier);
        }
    }

    /** A Kafka offset commit of this follower (for monitoring: positions live in the follower). */
    public OffsetAndMetadata offset(long nextOffset) {
        return new OffsetAndMetadata(nextOffset, METADATA_PREFIX + followerId);
    }

    /**
     * Refuses to go on if the group's committed offset of any of these partitions was committed
     * for another follower.
     *
     * @throws ApplyException naming the group, both followers and the remedy
     */
    public void refuseForeignCommits(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
            String metadata = e.getValue() == null ? null : e.getValue().metadata();
            if (metadata == null || !metadata.startsWith(METADATA_PREFIX)) {
                continue; // never committed, or by a Replog that did not say which follower
            }
            String other = metadata.substring(METADATA_PREFIX.length());
            if (!other.equals(followerId)) {
                throw new ApplyException("apply.group.id '" + groupId + "' feeds another follower: the offset of partition "
                        + e.getKey() + " was committed for follower " + other + ", and this is follower " + followerId
                        + " (" + follower + "). A group shares the partitions out among its appliers, so two followers "
                        + "of one group would each get only part of the log. Give each follower its own apply.group.id; "
                        + "if follower " + other + " exists no more (this one was rebuilt), start this one with a new "
                        + "apply.group.id, or delete group '" + groupId + "' while none of its appliers runs "
                        + "(kafka-consumer-groups.sh --delete --group " + groupId + ")");
            }
        }
    }
}
