package dev.replog.serve;

import dev.replog.topology.Backoff;
import dev.replog.topology.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits for the served tables' topics to exist: capture creates a table's topic with its first event,
 * and Kafka Streams refuses to start (and stops) on a missing source topic.
 */
final class SourceTopics {

    private static final Logger log = LoggerFactory.getLogger(SourceTopics.class);

    private SourceTopics() {
    }

    /** @return false if {@code stopping} said to give up first */
    static boolean await(KafkaSettings kafka, List<String> topics, BooleanSupplier stopping) throws InterruptedException {
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
        Set<String> reported = new TreeSet<>();
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            while (!stopping.getAsBoolean()) {
                Set<String> missing = new TreeSet<>(topics);
                try {
                    missing.removeAll(admin.listTopics().names().get(30, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    log.warn("serve cannot list Kafka topics, retrying: {}", e.getMessage());
                }
                if (missing.isEmpty()) {
                    return true;
                }
                if (!missing.equals(reported)) {
                    log.info("serve waiting for topic(s) {}: capture creates a table's topic with its first event", missing);
                    reported = missing;
                }
                if (!Backoff.sleep(backoff.next())) {
                    throw new InterruptedException();
                }
            }
        }
        return false;
    }
}
