package dev.replog.schemas.compact;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Schema records held in memory: a reader's copy of the schemas topic, a writer's set of schemas it
 * has published, or a test's store. Refuses a second schema under an id it holds (a 64-bit hash
 * collision), which would otherwise decode records with the wrong schema.
 */
public final class InMemorySchemas implements SchemaStore {

    private final Map<SchemaId, byte[]> byId = new ConcurrentHashMap<>();

    @Override
    public void add(SchemaRecord schema) {
        byte[] known = byId.putIfAbsent(schema.id(), schema.json());
        if (known != null && !Arrays.equals(known, schema.json())) {
            throw new IllegalStateException("schema id " + schema.id() + " names two different schemas (a hash collision): "
                    + "this table version cannot be written in the compact format");
        }
    }

    @Override
    public byte[] schemaJson(SchemaId id) {
        return byId.get(id);
    }

    public boolean contains(SchemaId id) {
        return byId.containsKey(id);
    }

    public int size() {
        return byId.size();
    }
}
