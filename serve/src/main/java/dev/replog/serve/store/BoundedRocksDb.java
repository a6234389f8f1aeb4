package dev.replog.serve.store;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

import java.util.Map;

/**
 * Holds every replica store of the process to one memory budget: one block cache shared by all
 * stores, with index and filter blocks inside it, and memtables charged to that same cache through
 * one write-buffer manager (Kafka Streams' "memory management" recipe). The shared objects live as
 * long as the process and are never closed by a store.
 */
public final class BoundedRocksDb implements RocksDBConfigSetter {

    /** Streams config keys carrying the budget to this class, which Kafka Streams instantiates itself. */
    public static final String CACHE_BYTES = "replog.rocksdb.cache.bytes";
    public static final String MEMTABLE_BYTES = "replog.rocksdb.memtable.bytes";

    private static Cache cache;
    private static WriteBufferManager writeBuffers;
    private static long configuredCache = -1;
    private static long configuredMemtables = -1;

    private static synchronized void ensureShared(long cacheBytes, long memtableBytes) {
        if (cache == null || configuredCache != cacheBytes || configuredMemtables != memtableBytes) {
            // A second budget in one process (tests run several instances in one JVM) replaces the
            // first for stores opened after it; stores opened before keep theirs.
            cache = new LRUCache(cacheBytes, -1, false, 0.1);
            writeBuffers = new WriteBufferManager(memtableBytes, cache);
            configuredCache = cacheBytes;
            configuredMemtables = memtableBytes;
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        long cacheBytes = Long.parseLong(configs.get(CACHE_BYTES).toString());
        long memtableBytes = Long.parseLong(configs.get(MEMTABLE_BYTES).toString());
        ensureShared(cacheBytes, memtableBytes);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBuffers);
        options.setMaxWriteBufferNumber(2);
        options.setWriteBufferSize(Math.max(1 << 20, Math.min(16L << 20, memtableBytes / 4)));
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write-buffer manager are shared: closing them here would break other stores.
    }
}
