package dev.replog.capture;

import java.util.Locale;

/**
 * What capture does about streamed timetz values (config key {@code capture.timetz.offsets}).
 * Debezium 3.6.3 turns a streamed timetz into UTC before any converter sees it; only a domain
 * {@code timetz} over text in the table's schema keeps the original offset (see {@link TimetzDomain}).
 */
public enum TimetzOffsets {
    /** Create that domain on the leader: every timetz arrives exactly, offset included. */
    EXACT,
    /** Create nothing on the leader: streamed timetz keep their instant but arrive with offset +00. */
    UTC;

    /** Parses the configured spelling, {@code exact} or {@code utc}. */
    public static TimetzOffsets parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
