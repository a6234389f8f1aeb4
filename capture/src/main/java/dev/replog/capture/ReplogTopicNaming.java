package dev.replog.capture;

import dev.replog.topology.TopicNames;
import io.debezium.relational.TableId;
import io.debezium.schema.DefaultTopicNamingStrategy;
import io.debezium.spi.schema.DataCollectionId;

import java.util.Properties;

/**
 * Debezium's topic naming with Replog's table topics ({@link TopicNames#forTable}), so that the
 * topic capture writes a table to is the one every other command computes for it. Debezium's own
 * default replaces each character Kafka refuses by '_' (one per UTF-16 unit), which merges
 * {@code "My.Schema".t}, {@code "My_Schema".t} and {@code My."Schema.t"} into one topic.
 * Transaction and heartbeat topics stay Debezium's.
 */
public final class ReplogTopicNaming extends DefaultTopicNamingStrategy {

    private TopicNames topics;

    public ReplogTopicNaming(Properties props) {
        super(props);
    }

    @Override
    public void configure(Properties props) {
        super.configure(props);
        topics = new TopicNames(prefix);
    }

    @Override
    public String dataChangeTopic(DataCollectionId id) {
        if (id instanceof TableId t && t.schema() != null) {
            return topicNames.computeIfAbsent(id, k -> topics.forTable(new dev.replog.schemas.TableId(t.schema(), t.table())));
        }
        return super.dataChangeTopic(id);
    }
}
