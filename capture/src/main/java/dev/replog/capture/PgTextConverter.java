package dev.replog.capture;

import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.data.SpecialValueDecimal;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.postgresql.PGStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
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
 * <li>domains over numeric: Debezium names their type by the domain, so the applier could not
 * tell Debezium's spelling of numeric infinities from a text value; PostgreSQL's text it can.</li>
 * <li>timetz: Debezium's own form is a UTC time, without the original offset. The snapshot hands
 * over PostgreSQL's text; the stream too, thanks to {@link TimetzDomain} (without it, Debezium
 * 3.6.3 converts pgoutput's timetz to UTC before any converter sees it, and a streamed value
 * would keep its instant but arrive with offset +00).</li>
 * </ul>
 */
public final class PgTextConverter implements CustomConverter<SchemaBuilder, RelationalColumn> {

    /** Schema name of a value in PostgreSQL's text input form, for consumers of the log. */
    public static final String SCHEMA_NAME = "dev.replog.PgText";

    private static final Logger log = LoggerFactory.getLogger(PgTextConverter.class);
    private static final DateTimeFormatter TIMETZ = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSSxxx", Locale.ROOT);

    @Override
    public void configure(Properties props) {
    }

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        String type = column.typeName();
        // An array is known by its JDBC type: the snapshot names an array of a user type in another
        // schema, or one whose name needs quoting, as the driver prints it ("s"."_t"), not as _t.
        boolean array = column.jdbcType() == java.sql.Types.ARRAY || type.startsWith("_");
        if (!array && !type.equals("timetz") && !type.equals("date") && !type.equals("timestamp") && !isDomainOverNumeric(column)) {
            return;
        }
        // Always optional, even for NOT NULL columns: the before-image of an update or delete under
        // REPLICA IDENTITY DEFAULT holds only the key, and the other columns are null there.
        SchemaBuilder schema = SchemaBuilder.string().name(SCHEMA_NAME).optional();
        registration.register(schema, value -> toText(column, value));
    }

    /**
     * A domain over numeric: Debezium converts it as numeric but names its type by the domain, so
     * the applier could not tell its infinities (spelled POSITIVE_INFINITY) from text.
     */
    private static boolean isDomainOverNumeric(RelationalColumn column) {
        int jdbc = column.jdbcType();
        return (jdbc == java.sql.Types.NUMERIC || jdbc == java.sql.Types.DECIMAL)
                && !column.typeName().equalsIgnoreCase("numeric") && !column.typeName().equalsIgnoreCase("decimal");
    }

    private static String toText(RelationalColumn column, Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof SpecialValueDecimal d) {
            return d.equals(SpecialValueDecimal.POSITIVE_INF) ? "Infinity" : d.equals(SpecialValueDecimal.NEGATIVE_INF) ? "-Infinity"
                    : d.equals(SpecialValueDecimal.NOT_A_NUMBER) ? "NaN" : d.getDecimalValue().map(BigDecimal::toPlainString).orElse(d.toString());
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
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
        // Column defaults reach the converter already converted by Debezium: days and microseconds.
        if (value instanceof Integer epochDay && column.typeName().equals("date")) {
            return streamedDate(LocalDate.ofEpochDay(epochDay));
        }
        if (value instanceof Long epochMicros && column.typeName().equals("timestamp")) {
            return streamedTimestamp(Instant.EPOCH.plus(epochMicros, ChronoUnit.MICROS));
        }
        // java.sql.Array (the driver's PgArray) and the snapshot's timetz String print PostgreSQL's text.
        if (!(value instanceof java.sql.Array) && !(value instanceof String)) {
            // Throwing would stop capture for good (Debezium converts column defaults through here
            // too); a value the follower cannot read stops the applier, naming the column.
            log.warn("column '{}' of type {}: unexpected value of {}, passed on as its toString()",
                    column.name(), column.typeName(), value.getClass().getName());
        }
        return value.toString();
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
        StringBuilder b = padded(new StringBuilder(32), c.get(Calendar.YEAR), 4);
        return withEra(c, dateTime(b, c.get(Calendar.MONTH) + 1, c.get(Calendar.DAY_OF_MONTH), c.get(Calendar.HOUR_OF_DAY),
                c.get(Calendar.MINUTE), c.get(Calendar.SECOND), t.getNanos() / 1_000).toString());
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
        return withEra(t.getYear(), dateTime(new StringBuilder(32), t.getMonthValue(), t.getDayOfMonth(), t.getHour(),
                t.getMinute(), t.getSecond(), t.getNano() / 1_000).toString());
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
        StringBuilder b = padded(new StringBuilder(16), c.get(Calendar.YEAR), 4);
        return withEra(c, monthDay(b, c.get(Calendar.MONTH) + 1, c.get(Calendar.DAY_OF_MONTH)).toString());
    }

    /** pgoutput's dates, parsed by Debezium into proleptic ISO dates (year 0 is 1 BC). */
    private static String streamedDate(LocalDate d) {
        if (d.equals(PostgresValueConverter.POSITIVE_INFINITY_LOCAL_DATE)) {
            return "infinity";
        }
        if (d.equals(PostgresValueConverter.NEGATIVE_INFINITY_LOCAL_DATE)) {
            return "-infinity";
        }
        return withEra(d.getYear(), monthDay(new StringBuilder(8), d.getMonthValue(), d.getDayOfMonth()).toString());
    }

    /** @param fields the date (and time) as the calendar's fields, its year counted within its era */
    private static String withEra(Calendar c, String fields) {
        return c.get(Calendar.ERA) == GregorianCalendar.BC ? fields + " BC" : fields;
    }

    /** @param isoYear a proleptic ISO year: 0 is 1 BC, -1 is 2 BC; @param rest what follows the year */
    private static String withEra(int isoYear, String rest) {
        StringBuilder b = padded(new StringBuilder(rest.length() + 8), isoYear > 0 ? isoYear : 1 - isoYear, 4).append(rest);
        return isoYear > 0 ? b.toString() : b.append(" BC").toString();
    }

    // Hand-written rather than String.format: this runs for every date and timestamp value captured,
    // and the Formatter showed as 12% of Debezium's streaming thread under pgbench.

    /** Appends {@code -MM-DD HH:MM:SS.ffffff}. */
    private static StringBuilder dateTime(StringBuilder b, int month, int day, int hour, int minute, int second, int micros) {
        monthDay(b, month, day).append(' ');
        padded(b, hour, 2).append(':');
        padded(b, minute, 2).append(':');
        padded(b, second, 2).append('.');
        return padded(b, micros, 6);
    }

    /** Appends {@code -MM-DD}. */
    private static StringBuilder monthDay(StringBuilder b, int month, int day) {
        return padded(padded(b.append('-'), month, 2).append('-'), day, 2);
    }

    /** Appends a non-negative number with leading zeros up to {@code width} digits, as {@code %0<width>d}. */
    private static StringBuilder padded(StringBuilder b, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(digits);
    }

}
