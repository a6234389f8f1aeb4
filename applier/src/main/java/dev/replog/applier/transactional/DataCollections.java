package dev.replog.applier.transactional;

import dev.replog.schemas.TableId;
import dev.replog.topology.TopicNames;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Finds the topic of a table named the way Debezium's transaction END names it: {@code schema.table}
 * unquoted, so {@code My.Schema.t} may be schema {@code My} with table {@code Schema.t} or schema
 * {@code My.Schema} with table {@code t}. Each split gives a table and so a topic; the one whose
 * topic exists is the table, since capture publishes each table's events (which carry schema and
 * table apart) to a topic of its own. Two captured tables with the same {@code schema.table} text are
 * refused at capture start (Debezium itself cannot tell them apart), so at most one split matches.
 */
public final class DataCollections {

    private DataCollections() {
    }

    /**
     * @param collection a name with at least one '.' (the decoder refuses any other)
     * @param tracked    topics already read: asked first, at no cost
     * @param allTopics  every topic Kafka has, asked only when no tracked topic matches (a new table)
     * @return the matching topic; for a name no topic matches yet, the split at the first '.'
     */
    static String topicOf(String collection, TopicNames topics, Predicate<String> tracked, Supplier<Set<String>> allTopics) {
        List<String> candidates = new ArrayList<>();
        for (int dot = collection.indexOf('.'); dot >= 0; dot = collection.indexOf('.', dot + 1)) {
            candidates.add(topics.topicOf(new TableId(collection.substring(0, dot), collection.substring(dot + 1))));
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        for (String topic : candidates) {
            if (tracked.test(topic)) {
                return topic;
            }
        }
        Set<String> all = allTopics.get();
        return candidates.stream().filter(all::contains).findFirst().orElse(candidates.get(0));
    }
}
