package dev.replog.schemas;

import dev.replog.schemas.compact.CompactWire;

import java.util.Locale;

/**
 * How capture writes the log (config key {@code log.format}; schemas/README.md). Readers read both,
 * told apart by a value's first byte, so the setting matters to the writer only.
 */
public enum LogFormat {
    /** Kafka's JsonConverter with the schema in every record: what Debezium's own consumers read. */
    JSON(LogHeaders.FORMAT_VERSION),
    /** The schema once per table version in {@code <prefix>.schemas}, each record its id and binary values. */
    COMPACT(CompactWire.FORMAT_VERSION);

    private final String header;

    LogFormat(String header) {
        this.header = header;
    }

    /** The value of the {@link LogHeaders#FORMAT} header on every record of this format. */
    public String header() {
        return header;
    }

    /** Parses the configured spelling, {@code json} or {@code compact}. */
    public static LogFormat parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
