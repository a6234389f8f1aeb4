package dev.replog.bench.soak;

import dev.replog.schemas.LogFormat;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One soak run's shape.
 *
 * @param snapshotRows   rows in {@code items} before capture starts (they travel in the initial snapshot)
 * @param load           how long the clients write
 * @param clients        concurrent leader clients
 * @param perClientTps   transactions a second per client at most
 * @param partitions     partitions per table topic
 * @param heap           -Xmx of capture and both appliers (the README's recommendation)
 * @param brokerOutage   how long the broker stays down in the middle of the load
 * @param clientTimeout  kafka.client.timeout.ms of the services: the outage must outlast it
 * @param catchUp        how long the followers may take to equal the leader once the load stops
 * @param mainClass      the replog command's main class, started as child JVMs
 * @param dir            logs and the broker's data
 * @param logFormat      the log's format ({@code log.format})
 */
public record SoakOptions(long snapshotRows, Duration load, int clients, int perClientTps, int partitions, String heap,
                          Duration brokerOutage, Duration clientTimeout, Duration catchUp, String mainClass, Path dir,
                          LogFormat logFormat) {
}
