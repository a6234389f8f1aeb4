package dev.replog.capture;

import dev.replog.schemas.LogFormat;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.data.Schema;

import java.util.List;
import java.util.concurrent.Future;

/** The JSON format: Kafka's JsonConverter with the schema in every record ({@link EnvelopeEncoder}). */
final class JsonLogEncoding implements LogEncoding {

    private final EnvelopeEncoder keys = new EnvelopeEncoder(true);
    private final EnvelopeEncoder values = new EnvelopeEncoder(false);

    @Override
    public LogFormat format() {
        return LogFormat.JSON;
    }

    @Override
    public byte[] encode(String topic, Schema schema, Object value, boolean isKey, List<Future<RecordMetadata>> sends) {
        return (isKey ? keys : values).encode(topic, schema, value);
    }

    @Override
    public byte[] own(byte[] json) {
        return json;
    }
}
