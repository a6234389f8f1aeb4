package dev.replog.applier.transactional;

import dev.replog.schemas.TableId;
import dev.replog.topology.TopicNames;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

public class DataCollectionsTest {

    private static final TopicNames TOPICS = new TopicNames("log");
    private static final String DOTTED_SCHEMA = TOPICS.topicOf(new TableId("My.Schema", "t"));
    private static final String DOTTED_TABLE = TOPICS.topicOf(new TableId("My", "Schema.t"));

    @Test
    void aNameWithOneDotIsSchemaAndTableWithoutAskingKafka() {
        assertEquals(TOPICS.topicOf(new TableId("public", "orders")), DataCollections.topicOf("public.orders", TOPICS,
                t -> false, () -> { throw new AssertionError("no need to list topics"); }));
    }

    @Test
    void aNameWithMoreDotsIsTheTableWhoseTopicIsReadAlready() {
        assertEquals(DOTTED_SCHEMA, DataCollections.topicOf("My.Schema.t", TOPICS, DOTTED_SCHEMA::equals,
                () -> { throw new AssertionError("no need to list topics"); }));
        assertEquals(DOTTED_TABLE, DataCollections.topicOf("My.Schema.t", TOPICS, DOTTED_TABLE::equals, Set::of));
    }

    @Test
    void aNewTableIsFoundAmongKafkasTopics() {
        assertEquals(DOTTED_SCHEMA, DataCollections.topicOf("My.Schema.t", TOPICS, t -> false, () -> Set.of("x", DOTTED_SCHEMA)));
    }

    @Test
    void theHeartbeatTableIsTheHeartbeatTopic() {
        assertEquals(TOPICS.heartbeat(), DataCollections.topicOf("replog.heartbeat", TOPICS, t -> false, Set::of));
    }
}
