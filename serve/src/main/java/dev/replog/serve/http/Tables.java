package dev.replog.serve.http;

import dev.replog.schemas.TableId;
import dev.replog.serve.store.ReplicaTopology;
import dev.replog.topology.TopicNames;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The tables a serve group serves, by the name a request gives, and their stores and topics. */
final class Tables {

    private final Map<TableId, String> stores = new LinkedHashMap<>();
    private final TopicNames topics;

    Tables(TopicNames topics, List<TableId> tables) {
        this.topics = topics;
        for (TableId t : tables) {
            stores.put(t, ReplicaTopology.storeName(topics, t));
        }
    }

    /** The table a path segment names ({@code schema.table}, quoted as in SQL where needed). */
    TableId served(String segment) {
        TableId table;
        try {
            table = TableId.parse(Request.decode(segment));
        } catch (IllegalArgumentException e) {
            throw new Request.BadRequest(e.getMessage());
        }
        if (!stores.containsKey(table)) {
            throw new NotServed(table);
        }
        return table;
    }

    String store(TableId table) {
        return stores.get(table);
    }

    String topic(TableId table) {
        return topics.forTable(table);
    }

    Iterable<TableId> all() {
        return stores.keySet();
    }

    /** 404: the group does not serve this table. */
    static final class NotServed extends RuntimeException {
        NotServed(TableId table) {
            super("table " + table + " is not served by this group (serve.tables)");
        }
    }
}
