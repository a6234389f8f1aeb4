package dev.replog.applier.rebuild;

import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyException;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.schemas.CompleteCopy;
import dev.replog.schemas.TableId;
import dev.replog.topology.LogRetention;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The table topics and partitions a rebuild replays, and where: from offset 0 when a partition holds
 * its whole history, else from the start of its table's newest complete copy ({@link CompleteCopies});
 * a log that can do neither for a table is refused.
 *
 * @param topics     every table topic of the log, or those of the tables asked for
 * @param partitions their partitions
 * @param starts     the first offset to replay of every partition
 * @param copies     a transactional replay that cannot start from offset 0 everywhere: the copies it
 *                   starts from, by table topic ({@link CopyCut}; empty if it starts from offset 0
 *                   everywhere though the log lost history elsewhere); null otherwise
 */
record ReplayedLog(List<String> topics, List<TopicPartition> partitions, Map<TopicPartition, Long> starts,
                   Map<String, CompleteCopy> copies) {

    /** A transactional replay that starts in row mode from the tables' copies (docs/rebuild.md, "Retention"). */
    boolean fromCopies() {
        return copies != null;
    }

    /**
     * @param transactional the replay reads {@code <prefix>.transactions} and the heartbeat topic in
     *                      commit order with the tables (transactional mode, a point in time)
     * @param usable        which copies recorded in {@code <prefix>.copies} may start a table (the newest of them does)
     */
    static ReplayedLog of(ApplierSettings settings, List<TableId> tables, Admin admin, LogReader logReader,
                          boolean transactional, Predicate<CompleteCopy> usable) {
        List<String> topics = tableTopics(settings, tables, logReader);
        List<TopicPartition> partitions = partitionsOf(logReader, topics);
        if (!transactional) {
            Map<String, CompleteCopy> copies = CompleteCopies.read(logReader, settings.topics().copies(), usable);
            return new ReplayedLog(topics, partitions, rowStarts(settings, admin, logReader, topics, partitions, copies), null);
        }
        String lost = lostHistory(settings, admin, logReader, topics);
        if (lost == null) {
            Map<TopicPartition, Long> starts = new HashMap<>();
            partitions.forEach(tp -> starts.put(tp, 0L));
            return new ReplayedLog(topics, partitions, starts, null);
        }
        if (!tables.isEmpty()) {
            throw new ApplyException("cannot rebuild from this log: " + lost + " Some tables of a transactional follower "
                    + "(--tables) are rebuilt by a replay of the whole log: rebuild the whole follower, which can start "
                    + "from the tables' refresh copies (docs/rebuild.md, \"Retention\")");
        }
        Map<String, CompleteCopy> copies;
        Map<TopicPartition, Long> starts;
        try {
            copies = CompleteCopies.read(logReader, settings.topics().copies(), usable);
            starts = rowStarts(settings, admin, logReader, topics, partitions, copies);
        } catch (ApplyException e) {
            throw new ApplyException(lost + " A transactional or point-in-time replay of it must start from the "
                    + "tables' refresh copies, and " + e.getMessage(), e);
        }
        Map<String, CompleteCopy> used = new HashMap<>();
        starts.forEach((tp, start) -> {
            CompleteCopy copy = copies.get(tp.topic());
            if (start > 0 && copy != null) {
                used.put(tp.topic(), copy);
            }
        });
        return new ReplayedLog(topics, partitions, starts, used);
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
     * Row mode: each table's partitions start at its newest complete copy if the log records one, else
     * at offset 0 if they still hold it. A copy's rows are upserts of the leader's rows, and every
     * change after the copy's request follows its start marker, so an empty table replayed from there
     * ends equal to the leader (docs/rebuild.md, "Retention").
     */
    private static Map<TopicPartition, Long> rowStarts(ApplierSettings settings, Admin admin, LogReader logReader,
                                                       List<String> topics, List<TopicPartition> partitions,
                                                       Map<String, CompleteCopy> copies) {
        // Any finite retention.ms may hold a copy; compaction and size limits are refused as for a whole replay.
        List<LogRetention.Problem> problems = LogRetention.problems(admin, topics, 1);
        if (!problems.isEmpty()) {
            throw new ApplyException("cannot rebuild from this log: " + problems.stream().map(Object::toString)
                    .collect(Collectors.joining("; ")) + ". Table topics must not be compacted or limited in size "
                    + "(cleanup.policy=delete, retention.bytes=-1; see docs/rebuild.md)");
        }
        Map<TopicPartition, Long> first = logReader.beginnings(partitions);
        Map<TopicPartition, Long> starts = new HashMap<>();
        for (TopicPartition tp : partitions) {
            CompleteCopy copy = copies.get(tp.topic());
            Long copyStart = copy == null ? null : copy.startOffsets().get(tp.partition());
            long begin = first.get(tp);
            if (copyStart != null && copyStart >= begin) {
                starts.put(tp, copyStart);
            } else if (copyStart != null) {
                throw new ApplyException("cannot rebuild from this log: the newest complete copy of table "
                        + PoisonEvent.tableOfTopic(tp.topic()) + " (copy " + copy.copyId() + ", completed " + copy.completedAt()
                        + ") starts at offset " + copyStart + " of topic " + tp.topic() + " partition " + tp.partition()
                        + ", which now starts at offset " + begin + ": it was deleted before a newer copy completed. "
                        + "topics.retention.ms must be at least twice capture.refresh.interval.ms, and a copy shorter than "
                        + "the interval (see docs/rebuild.md, \"Retention\")");
            } else if (begin == 0) {
                starts.put(tp, 0L);
            } else {
                throw new ApplyException("cannot rebuild from this log: topic " + tp.topic() + " partition " + tp.partition()
                        + " starts at offset " + begin + ", its earlier records were deleted, and " + settings.topics().copies()
                        + " records no complete copy of table " + PoisonEvent.tableOfTopic(tp.topic()) + (copy == null ? ""
                        : " in this partition") + ": a replay would miss rows. Set capture.refresh.interval.ms so that "
                        + "capture copies every table again periodically (docs/rebuild.md, \"Retention\")");
            }
        }
        return starts;
    }

    /**
     * Whether a replay of every topic from offset 0 would miss records (finite retention, compaction,
     * records deleted): then a transactional replay must start from the tables' copies.
     *
     * @return why, or null if the log keeps its whole history
     */
    private static String lostHistory(ApplierSettings settings, Admin admin, LogReader logReader, List<String> topics) {
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
            return "The log does not keep its whole history: " + problems.stream().map(Object::toString)
                    .collect(Collectors.joining("; ")) + ".";
        }
        List<TopicPartition> partitions = partitionsOf(logReader, all);
        for (Map.Entry<TopicPartition, Long> e : logReader.beginnings(partitions).entrySet()) {
            if (e.getValue() > 0) {
                return "Topic " + e.getKey().topic() + " partition " + e.getKey().partition() + " starts at offset "
                        + e.getValue() + ", its earlier records were deleted.";
            }
        }
        return null;
    }
}
