package dev.replog.schemas.compact;

/**
 * A {@link SchemaLookup} that also takes new schemas: what a writer of compact records needs (capture
 * sends each new schema record to the schemas topic in the Kafka transaction of its first use).
 */
public interface SchemaStore extends SchemaLookup {

    void add(SchemaRecord schema);
}
