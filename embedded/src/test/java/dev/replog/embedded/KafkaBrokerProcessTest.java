package dev.replog.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerProcessTest {

    @TempDir
    Path baseDir;

    @Test
    void recordAcknowledgedBeforeKillNineIsReadableAfterRestart() throws Exception {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(baseDir)) {
            String bootstrap = broker.bootstrapServers();
            KafkaRecords.createTopic(bootstrap, "survivors");
            KafkaRecords.produce(bootstrap, "survivors", "k", "before-kill");

            long killedPid = broker.pid();
            broker.kill();
            assertFalse(ProcessHandle.of(killedPid).map(ProcessHandle::isAlive).orElse(false), "child is dead");

            broker.restart();
            assertNotEquals(killedPid, broker.pid());
            assertEquals(bootstrap, broker.bootstrapServers(), "same ports after restart");
            assertEquals(List.of("before-kill"), KafkaRecords.readValues(bootstrap, "survivors", 1, Duration.ofSeconds(30)));
        }
    }
}
