package dev.replog.capture;

import io.debezium.spi.converter.RelationalColumn;

import java.util.Locale;
import java.util.Set;

/**
 * How capture writes the values of the types Debezium has a standard logical type for but carries
 * with losses (config key {@code capture.value.encoding}; the losses are in docs/encoding.md).
 */
public enum ValueEncoding {
    /** PostgreSQL's own text ({@code dev.replog.PgText}): exact, read by Replog's followers. */
    EXACT,
    /**
     * Debezium's standard form, as its connector writes it with capture's other settings: what a stock
     * Kafka Connect sink turns into typed columns. Types without one stay {@code dev.replog.PgText}.
     */
    DEBEZIUM;

    /** The converter property (given to Debezium as {@code pgtext.value.encoding}) that carries it. */
    static final String CONVERTER_PROPERTY = "value.encoding";

    /**
     * Element types whose arrays Debezium's PostgreSQL connector writes as Connect arrays of a
     * standard element form (PostgresValueConverter#schemaBuilder, 3.6.3). Arrays of other types it
     * writes as no standard form or not at all; timetz arrays it has a form for, but writes every
     * streamed element as null, so they stay text too.
     */
    private static final Set<String> STANDARD_ARRAYS = Set.of(
            "_int2", "_int4", "_int8", "_float4", "_float8", "_bool", "_numeric",
            "_text", "_varchar", "_bpchar", "_bytea", "_uuid", "_json", "_jsonb",
            "_date", "_time", "_timestamp", "_timestamptz", "_inet", "_cidr", "_macaddr");

    /** Parses the configured spelling, {@code exact} or {@code debezium}. */
    public static ValueEncoding parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }

    /**
     * Whether capture leaves this column to Debezium's own converters: in {@link #DEBEZIUM}, for the
     * types with a standard form that {@link PgTextConverter} would otherwise write as text. A domain
     * over numeric is not among them: with {@code decimal.handling.mode=string} Debezium's form is a
     * string too, named by the domain, in which a follower could not tell its infinities from text.
     */
    boolean leavesToDebezium(RelationalColumn column) {
        if (this == EXACT) {
            return false;
        }
        String type = column.typeName();
        return type.equals("date") || type.equals("timestamp") || type.equals("timetz") || STANDARD_ARRAYS.contains(type);
    }
}
