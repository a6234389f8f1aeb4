package dev.replog.applier.deadletter;

import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyException;
import dev.replog.topology.TopicProvisioner;
import dev.replog.topology.TopicSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes poison events to the dead-letter topic and waits for Kafka's acknowledgement, so that a
 * poison event is in the topic before the follower transaction that moves past it commits.
 * The topic (one partition, kept forever, replicated to 3 brokers or as many as there are) is
 * created on the first poison event.
 */
public final class DeadLetterPublisher implements AutoCloseable {

    private final ApplierSettings settings;
    private KafkaProducer<byte[], byte[]> producer;
    private boolean topicReady;

    public DeadLetterPublisher(ApplierSettings settings) {
        this.settings = settings;
    }

    public void publish(PoisonEvent e) {
        String topic = settings.topics().deadLetter();
        try {
            if (!topicReady) {
                try (Admin admin = Admin.create(settings.kafka().clientConfig())) {
                    int brokers = admin.describeCluster().nodes().get(60, TimeUnit.SECONDS).size();
                    // Not replayed by rebuilds: an operator may give it a retention of their choosing.
                    TopicSettings layout = new TopicSettings(1, (short) Math.min(3, brokers), -1, false);
                    new TopicProvisioner(admin, layout).ensureOrderedTopic(topic, false);
                }
                topicReady = true;
            }
            producer().send(new ProducerRecord<>(topic, null, e.key(), e.value(), headers(e))).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException x) {
            Throwable cause = x instanceof ExecutionException ? x.getCause() : x;
            throw new ApplyException("cannot write poison event at " + e.where() + " to dead-letter topic " + topic
                    + ": " + cause.getMessage() + "; the event was not skipped (" + e.reason() + ")", cause);
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            throw new ApplyException("interrupted while writing to dead-letter topic " + topic, x);
        }
    }

    private RecordHeaders headers(PoisonEvent e) {
        RecordHeaders h = new RecordHeaders();
        add(h, DeadLetterHeaders.ERROR, e.error());
        add(h, DeadLetterHeaders.ERROR_KIND, e.kind());
        add(h, DeadLetterHeaders.SQLSTATE, e.sqlState());
        add(h, DeadLetterHeaders.TOPIC, e.topic());
        add(h, DeadLetterHeaders.PARTITION, Integer.toString(e.partition()));
        add(h, DeadLetterHeaders.OFFSET, Long.toString(e.offset()));
        add(h, DeadLetterHeaders.LSN, e.lsn() == null ? null : e.lsn().toString());
        add(h, DeadLetterHeaders.TABLE, e.table());
        add(h, DeadLetterHeaders.FAILED_AT, e.failedAt().toString());
        add(h, DeadLetterHeaders.GROUP, settings.groupId());
        add(h, DeadLetterHeaders.POLICY, settings.onError().name().toLowerCase(java.util.Locale.ROOT));
        return h;
    }

    private static void add(RecordHeaders h, String name, String value) {
        if (value != null) {
            h.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Properties p = settings.kafka().producerConfig();
            p.put("acks", "all");
            p.put("enable.idempotence", "true");
            p.put("client.id", "replog-dead-letters-" + settings.groupId());
            producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
        }
    }
}
