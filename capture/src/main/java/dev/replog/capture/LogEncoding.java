package dev.replog.capture;

import dev.replog.schemas.LogFormat;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.data.Schema;

import java.util.List;
import java.util.concurrent.Future;

/**
 * How capture writes keys and values into the log ({@code log.format}): {@link JsonLogEncoding} or
 * {@link CompactLogEncoding}. Used inside a batch's Kafka transaction, under the lock of the
 * {@link TransactionalLog}; not thread-safe otherwise.
 */
interface LogEncoding {

    LogFormat format();

    /**
     * A record key or value of a Connect schema. Whatever the log must hold before it (a new schema's
     * record) is sent first, into the open transaction; its acknowledgement joins {@code sends}.
     */
    byte[] encode(String topic, Schema schema, Object value, boolean isKey, List<Future<RecordMetadata>> sends);

    /** One of Replog's own records, which has no Connect schema (watermark, copy start, schema change), from its JSON. */
    byte[] own(byte[] json);

    /** The open transaction committed: what it sent is in the log. */
    default void committed() {
    }

    /** The open transaction was abandoned: what it sent is not in the log and must be sent again. */
    default void abandoned() {
    }
}
