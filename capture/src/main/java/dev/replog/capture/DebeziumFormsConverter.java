package dev.replog.capture;

import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import org.apache.kafka.connect.data.SchemaBuilder;

import java.util.Properties;
import java.util.Set;

/**
 * Capture's custom converter with {@code capture.value.encoding=debezium}: the columns whose types
 * have a standard Debezium form are left to Debezium's own converters (each named once in a WARN
 * line with what its form cannot carry, {@link DebeziumEncodingLosses}); every other column is
 * {@link PgTextConverter}'s, as with the default encoding.
 */
public final class DebeziumFormsConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {

    /**
     * Element types whose arrays Debezium's PostgreSQL connector writes as Connect arrays of a
     * standard element form (PostgresValueConverter#schemaBuilder, 3.6.3). Arrays of other types it
     * writes in no standard form or not at all; timetz arrays it has a form for, but writes every
     * streamed element as null, so they stay PostgreSQL's text.
     */
    private static final Set<String> STANDARD_ARRAYS = Set.of(
            "_int2", "_int4", "_int8", "_float4", "_float8", "_bool", "_numeric",
            "_text", "_varchar", "_bpchar", "_bytea", "_uuid", "_json", "_jsonb",
            "_date", "_time", "_timestamp", "_timestamptz", "_inet", "_cidr", "_macaddr");

    private final PgTextConverter pgText = new PgTextConverter();
    private final DebeziumEncodingLosses losses = new DebeziumEncodingLosses();

    @Override
    public void configure(Properties props) {
        pgText.configure(props);
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        if (hasStandardForm(column.typeName())) {
            losses.announce(column);
            return;
        }
        pgText.converterFor(column, registration);
    }

    /**
     * A domain over numeric is not among them, though Debezium converts it as numeric: with
     * {@code decimal.handling.mode=string} its form is a string too, named by the domain, in which a
     * follower could not tell its infinities from text.
     */
    static boolean hasStandardForm(String type) {
        return type.equals("date") || type.equals("timestamp") || type.equals("timetz") || STANDARD_ARRAYS.contains(type);
    }
}
