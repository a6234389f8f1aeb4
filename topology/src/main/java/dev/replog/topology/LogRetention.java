package dev.replog.topology;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether topics keep the whole history, so that a follower can be rebuilt by replaying them from the
 * start: {@code cleanup.policy=delete} with {@code retention.ms=-1} and {@code retention.bytes=-1}.
 * Finite retention deletes old events, compaction keeps only each key's last one (and table topics
 * hold keyless truncates and watermarks): either way a replay would build a follower that misses rows
 * or keeps rows the leader deleted, without noticing.
 */
public final class LogRetention {

    private static final long TIMEOUT_S = 30;

    private LogRetention() {
    }

    /** One setting of one topic that loses history, e.g. {@code topic log.public.t has retention.ms=604800000}. */
    public record Problem(String topic, String setting, String value) {
        @Override
        public String toString() {
            return "topic " + topic + " has " + setting + "=" + value;
        }
    }

    /** Every setting of these (existing) topics that loses history; empty if they all keep it whole. */
    public static List<Problem> problems(Admin admin, Collection<String> topics) {
        return problems(admin, topics, -1);
    }

    /**
     * Every setting of these (existing) topics that loses more than a window: with {@code minimumWindowMs}
     * -1 any loss; else a {@code retention.ms} of at least that many milliseconds is accepted (refresh
     * copies keep a complete copy of every table inside it), but never compaction or a size limit,
     * which could delete a copy however young.
     */
    public static List<Problem> problems(Admin admin, Collection<String> topics, long minimumWindowMs) {
        if (topics.isEmpty()) {
            return List.of();
        }
        List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<ConfigResource, Config> configs;
        try {
            configs = admin.describeConfigs(resources).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new TopologyException("cannot read the configuration of topics " + topics + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while reading the configuration of topics " + topics, e);
        }
        List<Problem> out = new ArrayList<>();
        for (ConfigResource r : resources) {
            Config c = configs.get(r);
            String policy = value(c, "cleanup.policy", "delete");
            if (policy.contains("compact")) {
                out.add(new Problem(r.name(), "cleanup.policy", policy));
            }
            if (policy.contains("delete")) {
                String ms = value(c, "retention.ms", "-1");
                if (!ms.equals("-1") && (minimumWindowMs == -1 || parse(ms) < minimumWindowMs)) {
                    out.add(new Problem(r.name(), "retention.ms", ms));
                }
                String bytes = value(c, "retention.bytes", "-1");
                if (!bytes.equals("-1")) {
                    out.add(new Problem(r.name(), "retention.bytes", bytes));
                }
            }
        }
        return out;
    }

    private static long parse(String ms) {
        try {
            return Long.parseLong(ms);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    private static String value(Config c, String name, String absent) {
        ConfigEntry e = c == null ? null : c.get(name);
        return e == null || e.value() == null ? absent : e.value().trim();
    }
}
