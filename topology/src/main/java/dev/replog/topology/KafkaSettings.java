package dev.replog.topology;

import java.util.Map;
import java.util.Properties;

/**
 * How to reach the Kafka cluster: bootstrap servers plus client properties for security
 * (security.protocol, sasl.*, ssl.*) that every Replog client (producer, consumer, admin) shares.
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> clientProperties) {

    public KafkaSettings {
        clientProperties = Map.copyOf(clientProperties);
    }

    public static KafkaSettings plaintext(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, Map.of());
    }

    /**
     * {@link #clientConfig()} for a producer: it has no default.api.timeout.ms, its blocking calls
     * (room for a send, metadata, a transaction's commit) use max.block.ms, which takes that value.
     */
    public Properties producerConfig() {
        Properties p = clientConfig();
        Object blocking = p.remove("default.api.timeout.ms");
        if (blocking != null) {
            p.put("max.block.ms", blocking);
        }
        return p;
    }

    /** Properties every client starts from; callers add their own on top. */
    public Properties clientConfig() {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }
}
