package dev.replog.topology;

import dev.replog.schemas.compact.InMemorySchemas;
import dev.replog.schemas.compact.SchemaId;
import dev.replog.schemas.compact.SchemaLookup;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.Configurable;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Finds schemas in {@code <prefix>.schemas} for a reader of compact records (applier, rebuild,
 * serve, a Kafka Connect sink through {@code ReplogCompactConverter}). The topic is read from its
 * start at the first lookup and on to its new end whenever an id is not known yet (a table version
 * created since). Capture commits a schema record with or before the first record naming it, so the
 * id is there; if it is still missing after {@link #DEFAULT_WAIT} of reading again, the lookup fails
 * naming the topic, how far it was read and the id: the log's schemas were lost, and skipping the
 * record would lose a change. Never a null for an unknown id. Thread-safe; holds no Kafka client
 * between reads.
 *
 * <p>For Kafka Connect: {@code *.converter.schema.lookup.class=dev.replog.topology.SchemaTopicLookup},
 * {@code *.converter.schemas.topic=<prefix>.schemas} and the consumer properties to reach Kafka
 * ({@code *.converter.bootstrap.servers}, security settings) under the same prefix.
 */
public final class SchemaTopicLookup implements SchemaLookup, Configurable {

    /** The converter setting naming the schemas topic (Kafka Connect). */
    public static final String TOPIC_CONFIG = "schemas.topic";
    /** How long an unknown id is looked for, reading the topic again, before the lookup fails. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    private final InMemorySchemas known = new InMemorySchemas();
    private Properties clientConfig;
    private String topic;
    private Duration wait;
    /** Where the next read of the topic starts. */
    private long next;

    /** For Kafka Connect, which then calls {@link #configure}. */
    public SchemaTopicLookup() {
        this.wait = DEFAULT_WAIT;
    }

    /**
     * @param clientConfig how to reach Kafka (bootstrap servers and security settings)
     * @param topic        the log's schemas topic ({@code TopicNames.schemas()})
     */
    public SchemaTopicLookup(Properties clientConfig, String topic) {
        this(clientConfig, topic, DEFAULT_WAIT);
    }

    public SchemaTopicLookup(Properties clientConfig, String topic, Duration wait) {
        this.clientConfig = new Properties();
        this.clientConfig.putAll(clientConfig);
        this.topic = topic;
        this.wait = wait;
    }

    /** The topic from {@value #TOPIC_CONFIG}; every consumer setting among the others reaches Kafka. */
    @Override
    public void configure(Map<String, ?> configs) {
        Object named = configs.get(TOPIC_CONFIG);
        if (named == null || named.toString().isBlank()) {
            throw new IllegalArgumentException(TOPIC_CONFIG + " is not set: " + getClass().getName()
                    + " needs the log's schemas topic (<prefix>.schemas)");
        }
        Set<String> consumerSettings = ConsumerConfig.configNames();
        Properties p = new Properties();
        configs.forEach((k, v) -> {
            if (v != null && (consumerSettings.contains(k) || k.startsWith("sasl.") || k.startsWith("ssl."))) {
                p.put(k, v instanceof Class<?> c ? c.getName() : v.toString());
            }
        });
        this.clientConfig = p;
        this.topic = named.toString().trim();
    }

    @Override
    public byte[] schemaJson(SchemaId id) {
        byte[] json = known.schemaJson(id);
        return json != null ? json : readUntilKnown(id);
    }

    private synchronized byte[] readUntilKnown(SchemaId id) {
        if (topic == null) {
            throw new IllegalStateException(getClass().getName() + " is not configured: " + TOPIC_CONFIG + " is not set");
        }
        long deadline = System.nanoTime() + wait.toNanos();
        try (SchemaTopic.Reader reader = new SchemaTopic.Reader(clientConfig, topic)) {
            while (true) {
                if (known.schemaJson(id) != null) {
                    return known.schemaJson(id); // read by another thread meanwhile, or just now
                }
                next = reader.readToEnd(next, known);
                if (known.schemaJson(id) != null) {
                    return known.schemaJson(id);
                }
                if (System.nanoTime() > deadline) {
                    throw new TopologyException("schema id " + id + " is not in topic " + topic + " partition "
                            + SchemaTopic.PARTITION + " (read up to offset " + next + ", again for " + wait.toSeconds()
                            + " s): a compact record names a schema its log does not hold; was the schemas topic deleted "
                            + "or written by another log?");
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while reading topic " + topic + " for schema id " + id, e);
        }
    }

    @Override
    public String toString() {
        return "schemas of topic " + topic;
    }
}
