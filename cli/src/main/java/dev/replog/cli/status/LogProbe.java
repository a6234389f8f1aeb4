package dev.replog.cli.status;

import dev.replog.schemas.LogFormat;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.SchemaTopic;
import dev.replog.topology.TopicNames;
import org.apache.kafka.clients.admin.Admin;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Finds the log's format and its schemas topic ({@link LogStatus}). */
final class LogProbe {

    private static final long TIMEOUT_S = 10;

    private LogProbe() {
    }

    static LogStatus probe(KafkaSettings kafka, TopicNames topics) throws InterruptedException {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            if (!admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS).contains(topics.schemas())) {
                return new LogStatus(LogFormat.JSON.toString(), null, null, null);
            }
            int schemas = SchemaTopic.readAll(kafka.clientConfig(), topics.schemas()).size();
            return new LogStatus(LogFormat.COMPACT.toString(), topics.schemas(), schemas, null);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return new LogStatus(null, null, null, "cannot read the log's topics from Kafka: " + e.getMessage());
        }
    }
}
