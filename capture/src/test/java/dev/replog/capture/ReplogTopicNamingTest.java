package dev.replog.capture;

import dev.replog.topology.TopicNames;
import io.debezium.relational.TableId;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReplogTopicNamingTest {

    @Test
    void debeziumWritesEachTableToTheTopicReplogComputesForIt() {
        Properties p = new Properties();
        p.put("topic.prefix", "log");
        p.put("topic.transaction", "transactions");
        ReplogTopicNaming naming = new ReplogTopicNaming(p);
        TopicNames topics = new TopicNames("log");
        for (String[] name : new String[][] {{"public", "items"}, {"My.Schema", "we\"ird.Tab le"}, {"Weird Schema", "Select Ünï 🚀"}}) {
            assertEquals(topics.forTable(new dev.replog.schemas.TableId(name[0], name[1])),
                    naming.dataChangeTopic(new TableId(null, name[0], name[1])));
        }
        assertEquals(topics.transactions(), naming.transactionTopic());
    }
}
