package dev.replog.capture;

import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import org.apache.kafka.connect.data.SchemaBuilder;

import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Properties;

/**
 * Publishes columns whose Debezium representation loses information as PostgreSQL's own text
 * form instead, a string the follower's input function reads back exactly.
 * <ul>
 * <li>Arrays: Debezium's JSON arrays turn every multi-dimensional array into nulls, drop numeric
 * arrays holding NaN and lose non-default lower bounds ({@code [0:1]={7,8}}). Both the snapshot and
 * the stream hand over the driver's array object, whose text is exactly what PostgreSQL printed.</li>
 * <li>timetz: the snapshot hands over PostgreSQL's text with its original offset. The stream
 * cannot: Debezium 3.6.3 converts pgoutput's timetz to UTC before any converter sees it, so a
 * streamed value keeps its instant but arrives with offset +00.</li>
 * </ul>
 */
public final class PgTextConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {

    /** Schema name of a value in PostgreSQL's text input form, for consumers of the log. */
    public static final String SCHEMA_NAME = "dev.replog.PgText";

    private static final DateTimeFormatter TIMETZ = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSSxxx", Locale.ROOT);

    @Override
    public void configure(Properties props) {
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        String type = column.typeName();
        if (!type.startsWith("_") && !type.equals("timetz")) {
            return;
        }
        SchemaBuilder schema = SchemaBuilder.string().name(SCHEMA_NAME);
        if (column.isOptional()) {
            schema.optional();
        }
        registration.register(schema, value -> toText(column, value));
    }

    private static String toText(RelationalColumn column, Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetTime t) {
            return TIMETZ.format(t);
        }
        // java.sql.Array (the driver's PgArray) and the snapshot's timetz String print PostgreSQL's text.
        if (value instanceof java.sql.Array || value instanceof String) {
            return value.toString();
        }
        throw new IllegalArgumentException("column '" + column.name() + "' of type " + column.typeName()
                + ": unexpected value of class " + value.getClass().getName());
    }
}
