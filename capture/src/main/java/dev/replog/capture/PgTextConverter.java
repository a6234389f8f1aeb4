package dev.replog.capture;

import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.postgresql.PGStatement;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.Locale;
import java.util.Properties;

/**
 * Publishes columns whose Debezium representation loses information as PostgreSQL's own text
 * form instead, a string the follower's input function reads back exactly.
 * <ul>
 * <li>Arrays: Debezium's JSON arrays turn every multi-dimensional array into nulls, drop numeric
 * arrays holding NaN and lose non-default lower bounds ({@code [0:1]={7,8}}). Both the snapshot and
 * the stream hand over the driver's array object, whose text is exactly what PostgreSQL printed.</li>
 * <li>date and timestamp: Debezium's numbers turn ±infinity into far-future garbage, and the
 * snapshot's values (the driver's java.sql.Date and Timestamp) lose the era of BC dates.</li>
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
        if (!type.startsWith("_") && !type.equals("timetz") && !type.equals("date") && !type.equals("timestamp")) {
            return;
        }
        SchemaBuilder schema = SchemaBuilder.string().name(SCHEMA_NAME);
        if (column.isOptional()) {
            schema.optional();
        }
        registration.register(schema, value -> toText(column, value));
    }

    private static String snapshotTimestamp(Timestamp t) {
        long millis = t.getTime();
        if (millis == PGStatement.DATE_POSITIVE_INFINITY || t.equals(PostgresValueConverter.POSITIVE_INFINITY_TIMESTAMP)) {
            return "infinity";
        }
        if (millis == PGStatement.DATE_NEGATIVE_INFINITY || t.equals(PostgresValueConverter.NEGATIVE_INFINITY_TIMESTAMP)) {
            return "-infinity";
        }
        Calendar c = new GregorianCalendar();
        c.setTime(t);
        return String.format(Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d.%06d%s", c.get(Calendar.YEAR), c.get(Calendar.MONTH) + 1,
                c.get(Calendar.DAY_OF_MONTH), c.get(Calendar.HOUR_OF_DAY), c.get(Calendar.MINUTE), c.get(Calendar.SECOND),
                t.getNanos() / 1_000, c.get(Calendar.ERA) == GregorianCalendar.BC ? " BC" : "");
    }

    /** pgoutput's timestamps, parsed by Debezium as UTC instants of proleptic ISO date-times. */
    private static String streamedTimestamp(Instant i) {
        if (i.equals(PostgresValueConverter.POSITIVE_INFINITY_INSTANT)) {
            return "infinity";
        }
        if (i.equals(PostgresValueConverter.NEGATIVE_INFINITY_INSTANT)) {
            return "-infinity";
        }
        LocalDateTime t = LocalDateTime.ofInstant(i, ZoneOffset.UTC);
        int year = t.getYear();
        return String.format(Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d.%06d%s", year > 0 ? year : 1 - year, t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1_000, year > 0 ? "" : " BC");
    }

    /** The driver builds a java.sql.Date from the date's fields in the JVM's calendar; read them back. */
    private static String snapshotDate(java.sql.Date d) {
        long millis = d.getTime();
        if (millis == PGStatement.DATE_POSITIVE_INFINITY || millis == PGStatement.DATE_POSITIVE_SMALLER_INFINITY) {
            return "infinity";
        }
        if (millis == PGStatement.DATE_NEGATIVE_INFINITY || millis == PGStatement.DATE_NEGATIVE_SMALLER_INFINITY) {
            return "-infinity";
        }
        Calendar c = new GregorianCalendar();
        c.setTime(d);
        return String.format(Locale.ROOT, "%04d-%02d-%02d%s", c.get(Calendar.YEAR), c.get(Calendar.MONTH) + 1,
                c.get(Calendar.DAY_OF_MONTH), c.get(Calendar.ERA) == GregorianCalendar.BC ? " BC" : "");
    }

    /** pgoutput's dates, parsed by Debezium into proleptic ISO dates (year 0 is 1 BC). */
    private static String streamedDate(LocalDate d) {
        if (d.equals(PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE)) {
            return "infinity";
        }
        if (d.equals(PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE)) {
            return "-infinity";
        }
        int year = d.getYear();
        return String.format(Locale.ROOT, "%04d-%02d-%02d%s", year > 0 ? year : 1 - year, d.getMonthValue(),
                d.getDayOfMonth(), year > 0 ? "" : " BC");
    }

    private static String toText(RelationalColumn column, Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetTime t) {
            return TIMETZ.format(t);
        }
        if (value instanceof java.sql.Date d) {
            return snapshotDate(d);
        }
        if (value instanceof LocalDate d) {
            return streamedDate(d);
        }
        if (value instanceof Timestamp t) {
            return snapshotTimestamp(t);
        }
        if (value instanceof Instant i) {
            return streamedTimestamp(i);
        }
        // java.sql.Array (the driver's PgArray) and the snapshot's timetz String print PostgreSQL's text.
        if (value instanceof java.sql.Array || value instanceof String) {
            return value.toString();
        }
        throw new IllegalArgumentException("column '" + column.name() + "' of type " + column.typeName()
                + ": unexpected value of class " + value.getClass().getName());
    }
}
