package dev.replog.capture;

import io.debezium.spi.converter.CustomConverter;

import java.util.Locale;

/**
 * How capture writes the values of the types Debezium has a standard logical type for but carries
 * with losses (config key {@code capture.value.encoding}; the losses are in docs/encoding.md).
 */
public enum ValueEncoding {
    /** PostgreSQL's own text ({@code dev.replog.PgText}): exact, read by Replog's followers. */
    EXACT(PgTextConverter.class),
    /**
     * Debezium's standard form, as its connector writes it with capture's other settings: what a stock
     * Kafka Connect sink turns into typed columns. Types without one stay {@code dev.replog.PgText}.
     */
    DEBEZIUM(DebeziumFormsConverter.class);

    private final Class<? extends CustomConverter<?, ?>> converter;

    ValueEncoding(Class<? extends CustomConverter<?, ?>> converter) {
        this.converter = converter;
    }

    /** Capture's Debezium custom converter for this encoding. */
    Class<? extends CustomConverter<?, ?>> converter() {
        return converter;
    }

    /** Parses the configured spelling, {@code exact} or {@code debezium}. */
    public static ValueEncoding parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
