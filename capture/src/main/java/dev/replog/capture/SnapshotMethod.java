package dev.replog.capture;

import java.util.Locale;

/**
 * How capture takes the initial snapshot ({@code capture.snapshot.method}): Debezium's JDBC snapshot,
 * or {@link CopySnapshot}'s parallel {@code COPY} at the slot's exported snapshot. Both publish the
 * same read events.
 */
public enum SnapshotMethod {
    DEBEZIUM,
    COPY;

    /** Parses the configured spelling, {@code debezium} or {@code copy}. */
    public static SnapshotMethod parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
