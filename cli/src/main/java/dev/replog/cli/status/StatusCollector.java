package dev.replog.cli.status;

import dev.replog.applier.ApplyLag;
import dev.replog.capture.LeaderConnection;
import dev.replog.schemas.Lsn;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers one {@link StatusReport}: capture (if a leader is configured), every SQL follower and
 * every serve group. A part that cannot be read is reported as such; the others are still read.
 */
public final class StatusCollector {

    /**
     * What to report on.
     *
     * @param leader      the leader, or null to leave capture out
     * @param slot        capture's slot on the leader
     * @param publication capture's publication on the leader
     * @param serveGroups each group as instances ({@code host:port}) to ask
     */
    public record Targets(LeaderConnection leader, String slot, String publication, List<SqlFollowerTarget> followers,
                          List<List<String>> serveGroups) {
    }

    private final KafkaSettings kafka;
    private final TopicNames topics;
    private final Targets targets;

    public StatusCollector(KafkaSettings kafka, TopicNames topics, Targets targets) {
        this.kafka = kafka;
        this.topics = topics;
        this.targets = targets;
    }

    public StatusReport collect(double maxLagSeconds) throws InterruptedException {
        Instant now = Instant.now();
        Lsn published = null;
        String publishedError = null;
        try {
            published = LastPublished.read(kafka, topics);
        } catch (RuntimeException e) {
            publishedError = "cannot read " + topics.transactions() + " from Kafka: " + e.getMessage();
        }
        Connection leader = null;
        String leaderError = null;
        if (targets.leader() != null) {
            try {
                leader = targets.leader().open();
            } catch (SQLException e) {
                leaderError = e.getMessage();
            }
        }
        try {
            CaptureStatus capture = targets.leader() == null ? null
                    : CaptureProbe.probe(leader, leaderError, targets.leader(), targets.slot(), targets.publication(), published);
            if (capture != null && capture.error() == null && publishedError != null) {
                capture = new CaptureStatus(capture.slot(), capture.slotExists(), capture.active(), capture.confirmedLsn(),
                        capture.retainedWalBytes(), capture.leaderLsn(), null, capture.copiesWaiting(), capture.copies(), publishedError);
            }
            Lsn sourceEnd = published != null ? published : capture == null ? null : capture.leaderLsn();
            List<FollowerStatus> followers = followers(sourceEnd, leaderRows(leader));
            List<ServeGroupStatus> groups = new ArrayList<>();
            for (List<String> g : targets.serveGroups()) {
                groups.add(ServeGroupProbe.probe(g));
            }
            return new StatusReport(now, maxLagSeconds, LogProbe.probe(kafka, topics), capture, followers, groups,
                    Health.problems(capture, publishedError, followers, groups, maxLagSeconds));
        } finally {
            closeQuietly(leader);
        }
    }

    private List<FollowerStatus> followers(Lsn sourceEnd, FollowerProbe.LeaderRows leaderRows) {
        List<FollowerStatus> out = new ArrayList<>();
        if (targets.followers().isEmpty()) {
            return out;
        }
        try (ApplyLag lag = new ApplyLag(kafka, topics)) {
            FollowerProbe probe = new FollowerProbe(lag, topics, leaderRows);
            for (SqlFollowerTarget f : targets.followers()) {
                out.add(probe.probe(f, sourceEnd));
            }
        }
        return out;
    }

    private static FollowerProbe.LeaderRows leaderRows(Connection leader) {
        return table -> {
            if (leader == null) {
                return null;
            }
            try {
                return RowEstimates.leader(leader, table);
            } catch (SQLException e) {
                return null;
            }
        };
    }

    private static void closeQuietly(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // the report is complete
        }
    }
}
