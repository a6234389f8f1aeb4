package dev.replog.serve;

import dev.replog.schemas.TableId;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one {@code replog serve} instance needs. Every instance of a group has the same
 * {@code applicationId} and tables, its own state directory and HTTP address.
 *
 * @param advertised     host:port other instances and clients reach this one's HTTP API at; empty: the
 *                       listen address with the port actually bound (so port 0 picks a free one)
 * @param cacheBytes     RocksDB block cache shared by all stores of the process (memtables included)
 * @param memtableBytes  part of the cache memtables may take
 * @param maxWait        the longest a read may wait for its {@code min_lsn}
 */
public record ServeSettings(KafkaSettings kafka, TopicNames topics, List<TableId> tables, String applicationId,
                            Path stateDir, String listenHost, int listenPort, String advertised, int standbyReplicas,
                            int streamThreads, long cacheBytes, long memtableBytes, int httpThreads,
                            Duration maxWait, Duration commitInterval, Duration sessionTimeout) {

    public ServeSettings {
        tables = List.copyOf(tables);
    }

    /** Defaults for the rest, for tests and the demo. */
    public static ServeSettings of(KafkaSettings kafka, TopicNames topics, List<TableId> tables, String applicationId,
                                   Path stateDir, int port) {
        return new ServeSettings(kafka, topics, tables, applicationId, stateDir, "127.0.0.1", port, "",
                1, 1, 64L << 20, 16L << 20, 16, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(10));
    }

    public ServeSettings withStandbys(int n) {
        return new ServeSettings(kafka, topics, tables, applicationId, stateDir, listenHost, listenPort, advertised, n,
                streamThreads, cacheBytes, memtableBytes, httpThreads, maxWait, commitInterval, sessionTimeout);
    }
}
