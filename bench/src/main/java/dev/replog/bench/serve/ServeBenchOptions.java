package dev.replog.bench.serve;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One serve bench run's shape.
 *
 * @param rows        rows of the served table, snapshotted by capture before the measurements
 * @param clients     concurrent lookup clients
 * @param duration    length of each measured phase (lookups, lookups round-robin, the writer's load)
 * @param warmUp      the same load, not measured, before the first lookups and before the writer's load
 * @param writerTps   single-row update transactions a second the leader writer commits in the lag phase
 * @param sampleEvery every how many writes the lag is measured
 * @param partitions  partitions of the table topic
 * @param instances   serve instances of the group
 * @param standbys    serve.standby.replicas
 * @param heap        -Xmx of capture and the serve instances (the README's recommendation)
 * @param cacheBytes  serve.rocksdb.cache.bytes of each instance
 * @param mainClass   the replog command's main class, started as child JVMs
 * @param dir         logs, configuration, the broker's data and the serve state
 */
public record ServeBenchOptions(long rows, int clients, Duration duration, Duration warmUp, int writerTps, int sampleEvery, int partitions,
                                int instances, int standbys, String heap, long cacheBytes, String mainClass, Path dir) {

    /** The shape: 3 partitions, 2 instances, 1 standby, the default 64 MiB cache. */
    public static ServeBenchOptions of(long rows, int clients, Duration duration, int writerTps, int sampleEvery, String heap,
                                       String mainClass) {
        return new ServeBenchOptions(rows, clients, duration, Duration.ofSeconds(5), writerTps, sampleEvery, 3, 2, 1, heap, 64L << 20,
                mainClass, null);
    }

    ServeBenchOptions in(Path directory) {
        return new ServeBenchOptions(rows, clients, duration, warmUp, writerTps, sampleEvery, partitions, instances, standbys, heap,
                cacheBytes, mainClass, directory);
    }
}
