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

    /**
     * For logs and errors: the bootstrap servers and the security protocol, never a password or
     * the JAAS line (which holds the SASL credentials).
     */
    @Override
    public String toString() {
        return "Kafka at " + bootstrapServers + " over " + clientProperties.getOrDefault("security.protocol", "PLAINTEXT");
    }

    /**
     * Properties every client starts from; callers add their own on top. The one place Replog's
     * Kafka clients (producers, consumers, admin clients, Kafka Streams, Debezium's offset store)
     * get the cluster's security settings from.
     */
    public Properties clientConfig() {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }
}
