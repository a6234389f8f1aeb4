package dev.replog.serve.store;

import dev.replog.schemas.TableId;
import dev.replog.schemas.compact.SchemaLookup;
import dev.replog.serve.routing.KeyEncodings;
import dev.replog.topology.TopicNames;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.state.Stores;

import java.util.List;
import java.util.Map;

/**
 * The Kafka Streams topology of {@code replog serve}: one source and one persistent key-value store
 * per served table, so store partition {@code p} holds exactly the keys of the table topic's partition
 * {@code p} (no repartitioning: the log is already partitioned by primary key). The store is logged
 * to its own compacted changelog, which carries the rows and the {@link PartitionProgress} in order
 * to standbys; caching is off so that order is the processing order.
 */
public final class ReplicaTopology {

    private ReplicaTopology() {
    }

    /** The store of a table: {@code rows.<schema>.<table>}, named like the table's topic. */
    public static String storeName(TopicNames topics, TableId table) {
        return "rows" + topics.forTable(table).substring(topics.prefix().length());
    }

    /** @param schemas the schemas topic (thread-safe: every stream thread reads it) */
    public static Topology build(TopicNames topics, List<TableId> tables, KeyEncodings keyEncodings, SchemaLookup schemas) {
        StreamsBuilder builder = new StreamsBuilder();
        for (TableId table : tables) {
            String store = storeName(topics, table);
            builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.Bytes(),
                            Serdes.ByteArray())
                    .withCachingDisabled()
                    .withLoggingEnabled(Map.of("cleanup.policy", "compact")));
            builder.stream(topics.forTable(table), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                            .withName("log" + store.substring("rows".length())))
                    .process(() -> new ReplicaProcessor(table, store, keyEncodings, schemas), store);
        }
        return builder.build();
    }
}
