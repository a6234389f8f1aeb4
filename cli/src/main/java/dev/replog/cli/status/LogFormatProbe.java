package dev.replog.cli.status;

import dev.replog.schemas.LogFormat;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.Properties;
import java.util.Set;

/**
 * The format the log is written in, as capture decides it (a log keeps its first format): compact if
 * it has a schemas topic, JSON if it has a transactions topic but no schemas topic.
 */
final class LogFormatProbe {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private LogFormatProbe() {
    }

    /** @return the format, or null if capture has not created the log yet */
    static LogFormat probe(KafkaSettings kafka, TopicNames topics) {
        Properties p = kafka.clientConfig();
        p.put("client.id", "replog-status-format-" + topics.prefix());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Set<String> existing = consumer.listTopics(TIMEOUT).keySet();
            return existing.contains(topics.schemas()) ? LogFormat.COMPACT
                    : existing.contains(topics.transactions()) ? LogFormat.JSON : null;
        }
    }
}
