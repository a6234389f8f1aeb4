package dev.replog.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerTest {

    @TempDir
    Path baseDir;

    @Test
    void producesAndConsumesARecord() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(baseDir)) {
            assertTrue(broker.bootstrapServers().startsWith("127.0.0.1:"), broker.bootstrapServers());

            KafkaRecords.createTopic(broker.bootstrapServers(), "greetings");
            KafkaRecords.produce(broker.bootstrapServers(), "greetings", "k", "hello");

            assertEquals(List.of("hello"),
                    KafkaRecords.readValues(broker.bootstrapServers(), "greetings", 1, Duration.ofSeconds(20)));
        }
        assertFalse(Files.exists(baseDir.resolve("kafka")), "close() deletes the broker's directory");
    }
}
