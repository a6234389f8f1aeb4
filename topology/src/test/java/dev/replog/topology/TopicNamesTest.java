package dev.replog.topology;

import dev.replog.schemas.TableId;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicNamesTest {

    private static final Pattern KAFKA_LEGAL = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private final TopicNames names = new TopicNames("log");

    @Test
    void plainNamesKeepTheirTopic() {
        assertEquals("log.public.order_items", names.forTable(new TableId("public", "order_items")));
        assertEquals("log.Sales.Orders2", names.forTable(new TableId("Sales", "Orders2")));
    }

    @Test
    void everyOtherCharacterIsEscapedByItsCodePoint() {
        assertEquals("log.My-2e-Schema.we-22-ird-2e-Tab-20-le", names.forTable(new TableId("My.Schema", "we\"ird.Tab le")));
        assertEquals("log.public.Select-20--dc-n-ef--20--1f680-", names.forTable(new TableId("public", "Select Ünï 🚀")));
        assertEquals("log.public.a-2d-b", names.forTable(new TableId("public", "a-b")));
    }

    @Test
    void namesThatDebeziumsUnderscoresWouldMergeGetTopicsOfTheirOwn() {
        List<TableId> tables = List.of(new TableId("My.Schema", "t"), new TableId("My", "Schema.t"), new TableId("My_Schema", "t"),
                new TableId("a b", "c"), new TableId("a_b", "c"), new TableId("a-b", "c"), new TableId("a-2d-b", "c"),
                new TableId("public", "x.y"), new TableId("public.x", "y"), new TableId("public", "x_y"));
        Set<String> topics = new HashSet<>();
        for (TableId t : tables) {
            String topic = names.forTable(t);
            assertTrue(KAFKA_LEGAL.matcher(topic).matches(), topic);
            assertTrue(names.isTableTopic(topic), topic);
            assertTrue(topics.add(topic), "two tables share " + topic);
        }
    }

    @Test
    void aTopicTooLongForKafkaIsCutAndEndsWithAHashOfTheExactNames() {
        String longName = ".".repeat(40) + "x";
        TableId a = new TableId(longName, longName + "a");
        TableId b = new TableId(longName, longName + "b");
        String topicA = new TopicNames("p".repeat(TopicNames.MAX_PREFIX_LENGTH)).forTable(a);
        String topicB = new TopicNames("p".repeat(TopicNames.MAX_PREFIX_LENGTH)).forTable(b);
        assertEquals(TopicNames.MAX_TOPIC_LENGTH, topicA.length());
        assertTrue(KAFKA_LEGAL.matcher(topicA).matches(), topicA);
        assertTrue(new TopicNames("p".repeat(TopicNames.MAX_PREFIX_LENGTH)).isTableTopic(topicA), topicA);
        assertNotEquals(topicA, topicB);
        assertEquals(topicA, new TopicNames("p".repeat(TopicNames.MAX_PREFIX_LENGTH)).forTable(a), "stable");
    }

    @Test
    void replogsOwnTopicsAreNoTableTopics() {
        assertTrue(!names.isTableTopic(names.transactions()) && !names.isTableTopic(names.deadLetter())
                && !names.isTableTopic(names.captureOffsets()));
    }

    @Test
    void aPrefixMustBePlainAndShort() {
        assertThrows(IllegalArgumentException.class, () -> new TopicNames("a.b"));
        assertThrows(IllegalArgumentException.class, () -> new TopicNames("p".repeat(TopicNames.MAX_PREFIX_LENGTH + 1)));
    }
}
