package dev.replog.schemas.compact;

import dev.replog.schemas.EventFormatException;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.Converter;

import java.util.Map;

/**
 * A Kafka Connect converter for Replog's compact log format: a stock Connect sink configured with it
 * ({@code key.converter} and {@code value.converter}) reads compact topics as the same Connect data it
 * would read from the JSON-with-schema format through JsonConverter. Records in that JSON format
 * (a log written before the switch) are read too, by JsonConverter: the first byte tells them apart.
 *
 * <p>Schema ids are resolved through {@code schema.lookup.class}, a {@link SchemaLookup} with a public
 * no-argument constructor (configured with the converter's settings if it is {@link Configurable}):
 * in a deployment Replog's {@code dev.replog.topology.SchemaTopicLookup}, which reads {@code <prefix>.schemas}
 * (its settings beside this one's: schemas/README.md, "Reading it"). Writing ({@code fromConnectData}) needs a
 * {@link SchemaStore}, which takes the schemas it has not seen. Not thread-safe, as Connect uses converters.
 */
public final class ReplogCompactConverter implements Converter {

    public static final String LOOKUP_CLASS = "schema.lookup.class";

    private static final ConfigDef CONFIG = new ConfigDef().define(LOOKUP_CLASS, ConfigDef.Type.CLASS, ConfigDef.Importance.HIGH,
            "A dev.replog.schemas.compact.SchemaLookup that finds a schema's JSON by its id (in a deployment: from <prefix>.schemas).");

    private SchemaLookup lookup;
    private CompactRecord records;
    private final JsonConverter jsonWithSchema = new JsonConverter();
    private String what = "value";

    /** For Kafka Connect: the lookup comes from {@code schema.lookup.class}. */
    public ReplogCompactConverter() {
    }

    public ReplogCompactConverter(SchemaLookup lookup) {
        this.lookup = lookup;
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        what = isKey ? "key" : "value";
        if (lookup == null) {
            lookup = newLookup(configs.get(LOOKUP_CLASS));
            if (lookup instanceof Configurable c) {
                c.configure(configs);
            }
        }
        records = new CompactRecord(new CompactSchemas(lookup));
        jsonWithSchema.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), isKey);
    }

    private static SchemaLookup newLookup(Object configured) {
        if (configured == null) {
            throw new DataException(LOOKUP_CLASS + " is not set: ReplogCompactConverter needs it to find the schemas of compact records");
        }
        try {
            Class<?> type = configured instanceof Class<?> c ? c : Class.forName(configured.toString().trim());
            if (!SchemaLookup.class.isAssignableFrom(type)) {
                throw new DataException(LOOKUP_CLASS + " " + type.getName() + " does not implement " + SchemaLookup.class.getName());
            }
            return (SchemaLookup) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new DataException(LOOKUP_CLASS + " " + configured + " cannot be created: " + e, e);
        }
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        if (schema == null && value == null) {
            return null; // a tombstone, as JsonConverter writes it
        }
        CompactRecord.Encoded encoded = records.encode(topic, schema, value);
        if (encoded.schema() != null && lookup.schemaJson(encoded.schema().id()) == null) {
            if (!(lookup instanceof SchemaStore store)) {
                throw new DataException("schema " + encoded.schema().id() + " of topic " + topic + " is new and "
                        + LOOKUP_CLASS + " " + lookup.getClass().getName() + " is not a SchemaStore that could take it");
            }
            store.add(encoded.schema());
        }
        return encoded.bytes();
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        if (value == null) {
            return SchemaAndValue.NULL;
        }
        if (!CompactWire.isCompact(value)) {
            return jsonWithSchema.toConnectData(topic, value);
        }
        try {
            return records.decode(topic, value, what);
        } catch (EventFormatException e) {
            throw new DataException(e.getMessage(), e); // what Connect's error handling expects of a converter
        }
    }
}
