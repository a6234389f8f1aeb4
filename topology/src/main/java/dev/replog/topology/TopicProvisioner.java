package dev.replog.topology;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Creates the topics of a replication log, or checks that existing ones fit: a table topic whose
 * partition count differs from the configured one would send a key's later events to another
 * partition than its earlier ones, and a compacted table topic cannot hold keyless truncate events.
 */
public final class TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final long TIMEOUT_S = 30;
    /** Largest change event a table topic accepts (after compression); capture's producer allows the same. */
    public static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;

    private final Admin admin;
    private final TopicSettings settings;
    private final Set<String> ready = ConcurrentHashMap.newKeySet();
    /** Table topics created, checked or found, with their partition counts: where capture writes watermarks. */
    private final Map<String, Integer> tableTopics = new ConcurrentHashMap<>();

    public TopicProvisioner(Admin admin, TopicSettings settings) {
        this.admin = admin;
        this.settings = settings;
    }

    /** A table topic: configured partitions, delete policy, configured retention. */
    public void ensureTableTopic(String topic) {
        ensure(topic, settings.partitions(), withRetention(Map.of(
                "cleanup.policy", "delete",
                // A row with multi-megabyte (TOASTed) values is one record; Kafka's default is 1 MB.
                "max.message.bytes", Integer.toString(MAX_RECORD_BYTES))), true, true);
        // Created with, or checked to have, the configured count.
        tableTopics.putIfAbsent(topic, settings.partitions());
    }

    /**
     * Records the table topics of the log that exist already, with their partition counts, without
     * checking them (that happens when capture first writes a row to one): a table idle since capture
     * started, or dropped, still has a topic that followers read and that needs capture's watermarks.
     */
    public void findTableTopics(Pattern tableTopic) {
        try {
            Set<String> names = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
            List<String> found = names.stream().filter(n -> tableTopic.matcher(n).matches() && !tableTopics.containsKey(n)).toList();
            if (found.isEmpty()) {
                return;
            }
            refuseLostHistory(found);
            admin.describeTopics(found).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS)
                    .forEach((name, d) -> tableTopics.putIfAbsent(name, d.partitions().size()));
        } catch (ExecutionException | TimeoutException e) {
            throw new TopologyException("cannot list the log's table topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while listing the log's table topics", e);
        }
    }

    /**
     * Forgets the table topics Kafka no longer has (an operator deleted the topic of a dropped table):
     * capture must not keep writing watermarks into them, and creates one again if its table comes back.
     */
    public void forgetDeletedTableTopics() {
        try {
            Set<String> names = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
            for (String topic : List.copyOf(tableTopics.keySet())) {
                if (!names.contains(topic)) {
                    tableTopics.remove(topic);
                    ready.remove(topic);
                    log.info("table topic {} no longer exists: no more watermarks into it", topic);
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new TopologyException("cannot list the log's table topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while listing the log's table topics", e);
        }
    }

    /** Every table topic known to this provisioner and its partition count (a snapshot). */
    public Map<String, Integer> tableTopics() {
        return Map.copyOf(tableTopics);
    }

    /** A single-partition topic whose records must stay in one total order. */
    public void ensureOrderedTopic(String topic, boolean compacted) {
        ensure(topic, 1, compacted ? Map.of("cleanup.policy", "compact", "retention.ms", "-1")
                : withRetention(Map.of("cleanup.policy", "delete")), false, !compacted);
    }

    /**
     * A compacted single-partition topic with unlimited retention whose records may be as large as a
     * change event: the compact format's schemas, one record per table version.
     */
    public void ensureCompactedTopic(String topic) {
        ensure(topic, 1, Map.of("cleanup.policy", "compact", "retention.ms", "-1",
                "max.message.bytes", Integer.toString(MAX_RECORD_BYTES)), false, false);
    }

    /**
     * The configured retention; for a log followers are rebuilt from also no size limit, whatever the
     * broker's default ({@code log.retention.bytes}).
     */
    private Map<String, String> withRetention(Map<String, String> configs) {
        Map<String, String> out = new HashMap<>(configs);
        out.put("retention.ms", Long.toString(settings.retentionMs()));
        if (settings.rebuildFromLog()) {
            out.put("retention.bytes", "-1");
        }
        return out;
    }

    /**
     * Refuses topics of the log that lose history when followers are to be rebuilt from it
     * ({@code topics.rebuild.from.log}): a rebuild would silently miss what they deleted.
     */
    private void refuseLostHistory(List<String> topics) {
        if (!settings.rebuildFromLog()) {
            return;
        }
        long window = settings.minimumWindowMs();
        List<LogRetention.Problem> problems = LogRetention.problems(admin, topics, window);
        if (problems.isEmpty()) {
            return;
        }
        String found = problems.stream().map(Object::toString).collect(Collectors.joining("; "));
        String fix = "kafka-configs.sh --alter --entity-type topics --entity-name " + problems.get(0).topic() + " --add-config ";
        if (window == -1) {
            throw new TopologyException(found + ": this topic would lose history, and followers are rebuilt by replaying the "
                    + "log from its start. Set it to cleanup.policy=delete, retention.ms=-1, retention.bytes=-1 (" + fix
                    + "retention.ms=-1,retention.bytes=-1,cleanup.policy=delete), or set capture.refresh.interval.ms to copy "
                    + "every table again periodically (then retention.ms may be finite, at least twice that interval), or "
                    + "topics.rebuild.from.log=false to run without rebuilds (`replog follower rebuild` is then refused); "
                    + "see docs/rebuild.md");
        }
        throw new TopologyException(found + ": this topic would lose a table's newest complete copy, and followers are "
                + "rebuilt from it (capture.refresh.interval.ms=" + settings.refreshMs() + "). Set cleanup.policy=delete, "
                + "retention.bytes=-1 and retention.ms=-1 or at least " + window + " (twice the refresh interval) (" + fix
                + "retention.ms=" + settings.retentionMs() + ",retention.bytes=-1,cleanup.policy=delete), or "
                + "topics.rebuild.from.log=false to run without rebuilds; see docs/rebuild.md");
    }

    /** @param history the topic must keep its whole history if the log is to rebuild followers */
    private void ensure(String topic, int partitions, Map<String, String> configs, boolean tableTopic, boolean history) {
        if (ready.contains(topic)) {
            return;
        }
        try {
            NewTopic spec = new NewTopic(topic, partitions, settings.replicationFactor()).configs(configs);
            admin.createTopics(List.of(spec)).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            awaitLeaders(topic, partitions);
            log.info("created topic {} ({} partitions, replication factor {})", topic, partitions, settings.replicationFactor());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InvalidTopicException) {
                // E.g. log.a_b.c next to log.a.b_c: Kafka's metric names make '.' and '_' the same.
                throw new TopologyException("cannot create topic " + topic + ": " + e.getCause().getMessage()
                        + " (Kafka refuses topic names that differ only in '.' versus '_'; rename one of the two tables "
                        + "or leave one out of capture.tables)", e.getCause());
            }
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new TopologyException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
            }
            checkFits(topic, partitions, tableTopic, history);
        } catch (TimeoutException e) {
            throw new TopologyException("creating topic " + topic + " timed out after " + TIMEOUT_S + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while creating topic " + topic, e);
        }
        ready.add(topic);
    }

    /**
     * Waits until the leader of every partition of a new topic serves requests. Producing before
     * that gets NOT_LEADER_OR_FOLLOWER, and the idempotent producer's retry of that first batch was
     * seen here to be refused as out of sequence for good once later batches had landed.
     * ListOffsets is answered by the partition leader itself, so its success is the signal.
     */
    private void awaitLeaders(String topic, int partitions) throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (true) {
            try {
                admin.listOffsets(request).all().get(TIMEOUT_S, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(50);
        }
    }

    private void checkFits(String topic, int partitions, boolean tableTopic, boolean history) {
        try {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS).get(topic);
            if (d.partitions().size() != partitions) {
                throw new TopologyException("topic " + topic + " exists with " + d.partitions().size()
                        + " partitions but topics.partitions=" + partitions + "; a changed partition count breaks "
                        + "per-key order. Set topics.partitions=" + d.partitions().size() + " or use a new topics.prefix");
            }
            if (history) {
                refuseLostHistory(List.of(topic));
            }
            if (tableTopic) {
                ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config c = admin.describeConfigs(List.of(r)).all().get(TIMEOUT_S, TimeUnit.SECONDS).get(r);
                String policy = c.get("cleanup.policy").value();
                if (policy.contains("compact")) {
                    throw new TopologyException("topic " + topic + " has cleanup.policy=" + policy
                            + "; table topics must use cleanup.policy=delete (truncate events have no key)");
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new TopologyException("cannot check existing topic " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while checking topic " + topic, e);
        }
    }

    /** Number of partitions of a topic this provisioner created or checked. */
    public int partitionsOf(String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
        } catch (ExecutionException | TimeoutException e) {
            throw new TopologyException("cannot describe topic " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while describing topic " + topic, e);
        }
    }
}
