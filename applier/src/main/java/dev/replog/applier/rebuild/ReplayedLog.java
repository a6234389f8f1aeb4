package dev.replog.applier.rebuild;

import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyException;
import dev.replog.schemas.TableId;
import dev.replog.topology.LogRetention;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The table topics and partitions a rebuild replays, checked to hold their whole history.
 *
 * @param topics     every table topic of the log, or those of the tables asked for
 * @param partitions their partitions
 */
record ReplayedLog(List<String> topics, List<TopicPartition> partitions) {

    static ReplayedLog of(ApplierSettings settings, List<TableId> tables, Admin admin, LogReader logReader) {
        List<String> topics = tableTopics(settings, tables, logReader);
        refuseLostHistory(settings, admin, logReader, topics);
        return new ReplayedLog(topics, partitionsOf(logReader, topics));
    }

    /** The table topics the rebuild replays: every one of the log, or those of {@code --tables}. */
    private static List<String> tableTopics(ApplierSettings settings, List<TableId> tables, LogReader logReader) {
        Set<String> existing = logReader.topics();
        if (tables.isEmpty()) {
            List<String> all = existing.stream().filter(settings.topics()::isTableTopic).sorted().toList();
            if (all.isEmpty()) {
                throw new ApplyException("the log " + settings.topics().prefix() + ".* has no table topic in Kafka at "
                        + settings.kafka().bootstrapServers() + ": nothing to rebuild from (check topics.prefix)");
            }
            return all;
        }
        List<String> out = new ArrayList<>();
        for (TableId t : tables) {
            String topic = settings.topics().forTable(t);
            if (!existing.contains(topic)) {
                throw new ApplyException("table " + t + " has no topic " + topic + " in the log: it was never captured "
                        + "(or topics.prefix differs)");
            }
            out.add(topic);
        }
        return out;
    }

    private static List<TopicPartition> partitionsOf(LogReader logReader, List<String> topics) {
        List<TopicPartition> out = new ArrayList<>();
        for (String topic : topics) {
            for (int p = 0; p < logReader.partitionCount(topic); p++) {
                out.add(new TopicPartition(topic, p));
            }
        }
        return out;
    }

    /**
     * A replay of a log that lost part of its history (finite retention, compaction, records deleted)
     * would build a follower that silently misses rows or keeps deleted ones: refused.
     */
    private static void refuseLostHistory(ApplierSettings settings, Admin admin, LogReader logReader, List<String> topics) {
        List<String> all = new ArrayList<>(topics);
        Set<String> existing = logReader.topics();
        // A transactional replay reads these too, from their start, in commit order with the tables.
        for (String own : List.of(settings.topics().transactions(), settings.topics().heartbeat())) {
            if (existing.contains(own)) {
                all.add(own);
            }
        }
        List<LogRetention.Problem> problems = LogRetention.problems(admin, all);
        if (!problems.isEmpty()) {
            throw new ApplyException("cannot rebuild from this log: " + problems.stream().map(Object::toString)
                    .collect(Collectors.joining("; ")) + ". A rebuild replays every topic from its start, so they must "
                    + "keep their whole history (cleanup.policy=delete, retention.ms=-1, retention.bytes=-1; see docs/rebuild.md)");
        }
        List<TopicPartition> partitions = partitionsOf(logReader, all);
        logReader.beginnings(partitions).forEach((tp, first) -> {
            if (first > 0) {
                throw new ApplyException("cannot rebuild from this log: topic " + tp.topic() + " partition " + tp.partition()
                        + " starts at offset " + first + ", its earlier records were deleted; a replay would miss them");
            }
        });
    }
}
