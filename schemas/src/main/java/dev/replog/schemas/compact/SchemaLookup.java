package dev.replog.schemas.compact;

/**
 * Finds the JSON of a schema by its id. In a deployment: the schemas topic read from its start (a
 * reader that meets an unknown id reads it on to its end, where the id must be: capture commits a
 * schema record before or with the first record that uses it); in tests: a map.
 */
@FunctionalInterface
public interface SchemaLookup {

    /** The schema's JSON (a schema record's value), or null if this id is not known. */
    byte[] schemaJson(SchemaId id);
}
