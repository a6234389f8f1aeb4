package dev.replog.capture;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Future;

/**
 * The replication log as capture writes it: each Debezium batch is one Kafka transaction, so a batch
 * is in the log whole or not at all for readers that read committed records (the appliers do). A
 * capture that dies halfway through a batch can therefore not leave a truncate or schema change
 * copied into some of its table's partitions but not the others. (A leader transaction may still
 * span batches; transactional apply gathers it by its END.) The transactional id names the log and
 * the slot: a capture started again aborts what its predecessor left open, and two captures of one
 * slot fence each other instead of both writing.
 */
final class TransactionalLog implements AutoCloseable {

    private final Properties config;
    private Producer<byte[], byte[]> producer;

    TransactionalLog(Properties producerConfig, String transactionalId) {
        this.config = new Properties();
        this.config.putAll(producerConfig);
        this.config.put("transactional.id", transactionalId);
        // A capture that dies holds back read-committed readers of the partitions its open transaction
        // touched until it is aborted: by its successor's start, or by the broker after this long. It
        // also bounds one batch's publishing (a batch of large values to a distant cluster), so it stays
        // at Kafka's default rather than shorter.
        this.config.put("transaction.timeout.ms", "60000");
    }

    void begin() {
        if (producer == null) {
            producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
            try {
                producer.initTransactions();
            } catch (KafkaException e) {
                abandon();
                throw e;
            }
        }
        producer.beginTransaction();
    }

    Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        return producer.send(record);
    }

    void commit() {
        producer.commitTransaction();
    }

    /**
     * Drops the producer after a failed batch: whatever its transaction wrote is aborted when the next
     * producer with the same id starts, and until then no reader sees it.
     */
    void abandon() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
    }
}
