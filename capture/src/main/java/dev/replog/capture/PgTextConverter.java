package dev.replog.capture;

import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.data.SpecialValueDecimal;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.postgresql.PGStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.postgresql.util.HStoreConverter;
import org.postgresql.util.PGobject;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Publishes every column whose type Debezium does not carry exactly as PostgreSQL's own text form
 * instead, a string the follower's input function reads back exactly: only the types in
 * {@link #DEBEZIUM_EXACT} (and domains over integers) keep Debezium's representation.
 * <ul>
 * <li>Arrays: Debezium's JSON arrays turn every multi-dimensional array into nulls, drop numeric
 * arrays holding NaN and lose non-default lower bounds ({@code [0:1]={7,8}}). Both the snapshot and
 * the stream hand over the driver's array object, whose text is exactly what PostgreSQL printed.</li>
 * <li>date and timestamp: Debezium's numbers turn ±infinity into far-future garbage, and the
 * snapshot's values (the driver's java.sql.Date and Timestamp) lose the era of BC dates.</li>
 * <li>timetz: Debezium's own form is a UTC time, without the original offset. The snapshot hands
 * over PostgreSQL's text; the stream too, thanks to {@link TimetzDomain} (without it, Debezium
 * 3.6.3 converts pgoutput's timetz to UTC before any converter sees it, and a streamed value
 * would keep its instant but arrive with offset +00).</li>
 * <li>interval: Debezium's ISO 8601 string has no form for PostgreSQL 17's infinite intervals, and
 * the driver's PGInterval (hours an int) none for more than 2^31-1 hours. The snapshot hands over
 * the server's text ({@link DebeziumConfig} maps interval to a plain PGobject); the stream
 * Debezium's PGInterval, whose fields print back to the same interval (the values it cannot parse
 * stop Debezium's stream before any converter runs: README, "Supported types").</li>
 * <li>Everything else (money, bit strings, xml, text search, geometric types, ranges and
 * multiranges, pg_lsn, oid types, enums, composites, domains, extension types such as hstore):
 * Debezium has no lossless form for them, or none at all. Most reach the converter as the text
 * pgoutput or the driver printed; the rest as the driver's or Debezium's parsed object, printed
 * back here in a form PostgreSQL reads as the same value.</li>
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

    /**
     * Built-in types whose Debezium form (with the settings of {@link DebeziumConfig}) is exact and
     * standard: they keep it, so that any Debezium consumer reads them as it reads any connector's.
     */
    static final Set<String> DEBEZIUM_EXACT = Set.of(
            "int2", "int4", "int8", "float4", "float8", "bool", "numeric",
            "text", "varchar", "bpchar", "bytea", "uuid", "json", "jsonb",
            "time", "timestamptz", "inet", "cidr", "macaddr");

    @Override
    public void converterFor(RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        if (keepsDebeziumForm(column)) {
            return;
        }
        // Always optional, even for NOT NULL columns: the before-image of an update or delete under
        // REPLICA IDENTITY DEFAULT holds only the key, and the other columns are null there.
        SchemaBuilder schema = SchemaBuilder.string().name(SCHEMA_NAME).optional();
        registration.register(schema, value -> toText(column, value));
    }

    /**
     * Whether Debezium's own form of the column is exact. An array is known by its JDBC type too: the
     * snapshot names an array of a user type in another schema, or one whose name needs quoting, as
     * the driver prints it ("s"."_t"), not as _t. A domain is named by itself, its JDBC type is its
     * base type's: a domain over an integer keeps Debezium's integer (as before every other domain
     * became text), so a key of such a domain keeps its JSON, and with it its partition.
     */
    static boolean keepsDebeziumForm(RelationalColumn column) {
        return keepsDebeziumForm(column.typeName(), column.jdbcType());
    }

    /** {@link #keepsDebeziumForm(RelationalColumn)} of a column of this type name and JDBC type. */
    static boolean keepsDebeziumForm(String type, int jdbc) {
        if (jdbc == java.sql.Types.ARRAY || type.startsWith("_")) {
            return false;
        }
        if (DEBEZIUM_EXACT.contains(type)) {
            return true;
        }
        boolean builtIn = type.equals("date") || type.equals("timestamp") || type.equals("timetz");
        return !builtIn && (jdbc == java.sql.Types.SMALLINT || jdbc == java.sql.Types.INTEGER || jdbc == java.sql.Types.BIGINT)
                && !type.equals("oid") && !type.equals("money");
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
        if (value instanceof OffsetDateTime t) {
            return streamedTimestamptz(t);
        }
        if (value instanceof byte[] bytes) {
            return "\\x" + HexFormat.of().formatHex(bytes);
        }
        if (value instanceof ByteBuffer bytes) {
            byte[] copy = new byte[bytes.remaining()];
            bytes.duplicate().get(copy);
            return "\\x" + HexFormat.of().formatHex(copy);
        }
        if (value instanceof PGobject o) {
            // The driver's geometric types and intervals print their fields back (doubles as Java
            // prints them: another spelling of the same double); other PGobjects hold the server's text.
            return o.getValue();
        }
        if (value instanceof SQLXML xml) {
            try {
                return xml.getString();
            } catch (SQLException e) {
                throw new IllegalStateException("column '" + column.name() + "': cannot read xml: " + e.getMessage(), e);
            }
        }
        if (value instanceof Map<?, ?> hstore) {
            // The driver reads hstore into a Map; its own printer writes the literal back, NULLs kept.
            return HStoreConverter.toString(hstore);
        }
        // java.sql.Array (the driver's PgArray) and the server's own text (String) print PostgreSQL's
        // text; numbers and booleans print as PostgreSQL reads them.
        if (!(value instanceof java.sql.Array) && !(value instanceof String) && !(value instanceof Number)
                && !(value instanceof Boolean)) {
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

    /** A domain over timestamptz, streamed: Debezium parsed it into a UTC date-time. */
    private static String streamedTimestamptz(OffsetDateTime t) {
        if (t.equals(PostgresValueConverter.POSITIVE_INFINITY_OFFSET_DATE_TIME)) {
            return "infinity";
        }
        if (t.equals(PostgresValueConverter.NEGATIVE_INFINITY_OFFSET_DATE_TIME)) {
            return "-infinity";
        }
        String local = streamedTimestamp(t.toInstant());
        return local.endsWith(" BC") ? local.substring(0, local.length() - 3) + "+00 BC" : local + "+00";
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
