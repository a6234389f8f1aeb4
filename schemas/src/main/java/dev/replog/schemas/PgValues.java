package dev.replog.schemas;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The one place that turns a value of the log (Debezium's JSON for a column, read together with the
 * column's schema) into PostgreSQL's text input form for the follower. Every type decision lives
 * here; nothing else in Replog switches over column types.
 */
public final class PgValues {

    private static final long MICROS_PER_DAY = 86_400_000_000L;
    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("xxx", Locale.ROOT);

    private PgValues() {
    }

    /**
     * @param field  the column's field schema from the envelope (type, name, parameters)
     * @param value  the column's JSON value
     * @param column column name, for error messages
     * @return the value in PostgreSQL text input form, or null for SQL NULL
     */
    public static String toText(JsonNode field, JsonNode value, String column) {
        if (value == null || value.isNull()) {
            return null;
        }
        return new Conversion(field, column).text(value);
    }

    /** Debezium's stand-in for an unchanged TOASTed value that the WAL does not carry. */
    static final String UNAVAILABLE = "__debezium_unavailable_value";
    private static final String UNAVAILABLE_HEX = hex(UNAVAILABLE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    private static final String UNAVAILABLE_BASE64 = Base64.getEncoder()
            .encodeToString(UNAVAILABLE.getBytes(java.nio.charset.StandardCharsets.UTF_8));

    /**
     * True if the log does not carry this column's value: an UPDATE left a TOASTed value unchanged
     * and the leader's replica identity does not include it. Text and jsonb show the placeholder
     * itself, bytea its bytes (hex or base64), arrays a one-element array of it.
     */
    public static boolean isUnavailable(JsonNode field, JsonNode value) {
        if (value == null || value.isNull()) {
            return false;
        }
        if (value.isArray()) {
            return value.size() == 1 && isUnavailable(field.path("items"), value.get(0));
        }
        return value.isTextual() && isUnavailable(value.asText());
    }

    /** {@link #isUnavailable(JsonNode, JsonNode)} of a JSON string value, whatever its column. */
    static boolean isUnavailable(String text) {
        return text.equals(UNAVAILABLE) || text.equalsIgnoreCase(UNAVAILABLE_HEX) || text.equals(UNAVAILABLE_BASE64);
    }

    /** How a column's values are read: each kind is one conversion of {@link Conversion}. */
    private enum Kind {
        DATE, TIME_MILLIS, TIME_MICROS, TIME_NANOS, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS,
        ZONED_TIMESTAMP, DECIMAL, VARIABLE_SCALE_DECIMAL, ARRAY, BASE64_BYTES, HEX_BYTES, NUMERIC,
        /** As the JSON value is: text, number or boolean. */
        PLAIN,
        /** PLAIN, but a number is a real. */
        REAL
    }

    /**
     * How one column's values become text, decided once from its field schema. A decoder that reads
     * many values of one table version keeps one per column, so the field schema is not asked again
     * for every value; and it may hand over a JSON string, integer or double without building a
     * node for it ({@link #ofText}, {@link #ofLong}, {@link #ofDouble}: only where {@link #readsText}
     * etc. say so). The tree path ({@link #text}) goes through those same methods, so each type has
     * exactly one conversion. The scalar methods throw plain exceptions; {@link #text} words them.
     */
    static final class Conversion {

        private final String column;
        private final String connectType;
        /** The semantic name, or the Connect type when there is none: what a message says was expected. */
        private final String expected;
        private final Kind kind;
        /** Decimal: the scale parameter. */
        private final int scale;
        /** Array: the elements' conversion. */
        private final Conversion elements;

        Conversion(JsonNode field, String column) {
            this(field, column, "");
        }

        /**
         * @param arrayType the source type of the array this is the element conversion of ({@code _BYTEA}),
         *                  else empty: Debezium gives an array's elements no source type of their own
         */
        private Conversion(JsonNode field, String column, String arrayType) {
            this.column = column;
            String semantic = field.path("name").asText("");
            this.connectType = field.path("type").asText("");
            this.expected = semantic.isEmpty() ? connectType : semantic;
            this.kind = switch (semantic) {
                case "io.debezium.time.Date" -> Kind.DATE;
                case "io.debezium.time.Time" -> Kind.TIME_MILLIS;
                case "io.debezium.time.MicroTime" -> Kind.TIME_MICROS;
                case "io.debezium.time.NanoTime" -> Kind.TIME_NANOS;
                case "io.debezium.time.Timestamp" -> Kind.TIMESTAMP_MILLIS;
                case "io.debezium.time.MicroTimestamp" -> Kind.TIMESTAMP_MICROS;
                case "io.debezium.time.NanoTimestamp" -> Kind.TIMESTAMP_NANOS;
                case "io.debezium.time.ZonedTimestamp" -> Kind.ZONED_TIMESTAMP;
                case "org.apache.kafka.connect.data.Decimal" -> Kind.DECIMAL;
                case "io.debezium.data.VariableScaleDecimal" -> Kind.VARIABLE_SCALE_DECIMAL;
                default -> plainKind(field, connectType, arrayType);
            };
            this.scale = kind == Kind.DECIMAL ? field.path("parameters").path("scale").asInt() : 0;
            this.elements = kind == Kind.ARRAY ? new Conversion(field.path("items"), column, sourceType(field)) : null;
        }

        private static String sourceType(JsonNode field) {
            return field.path("parameters").path("__debezium.source.column.type").asText("");
        }

        private static Kind plainKind(JsonNode field, String connectType, String arrayType) {
            if (connectType.equals("array")) {
                return Kind.ARRAY;
            }
            if (connectType.equals("bytes")) {
                return Kind.BASE64_BYTES; // binary.handling.mode=bytes: base64 on the wire
            }
            String sourceType = sourceType(field);
            if (connectType.equals("string") && (sourceType.equalsIgnoreCase("BYTEA") || arrayType.equalsIgnoreCase("_BYTEA"))) {
                return Kind.HEX_BYTES; // binary.handling.mode=hex: the hex digits of the bytes
            }
            if (sourceType.equalsIgnoreCase("NUMERIC") || sourceType.equalsIgnoreCase("DECIMAL")) {
                return Kind.NUMERIC;
            }
            return connectType.equals("float") ? Kind.REAL : Kind.PLAIN;
        }

        /** The value as a tree node: any JSON value. @return null for SQL NULL */
        String text(JsonNode value) {
            if (value == null || value.isNull()) {
                return null;
            }
            try {
                return switch (kind) {
                    case DATE, TIME_MILLIS, TIME_MICROS, TIME_NANOS, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS ->
                            ofLong(value.asLong());
                    case VARIABLE_SCALE_DECIMAL -> decimal(value.path("value").asText(), value.path("scale").asInt());
                    case ARRAY -> arrayLiteral(value);
                    case PLAIN, REAL -> plain(value);
                    default -> ofText(value.asText());
                };
            } catch (RuntimeException e) {
                throw new EventFormatException("column '" + column + "': cannot read value " + abbreviate(value)
                        + " as " + expected + ": " + e.getMessage(), e);
            }
        }

        /** Whether {@link #ofText} takes this column's JSON strings; other values go through {@link #text}. */
        boolean readsText() {
            return switch (kind) {
                case ZONED_TIMESTAMP, DECIMAL, BASE64_BYTES, HEX_BYTES, NUMERIC, PLAIN, REAL -> true;
                default -> false;
            };
        }

        /** Whether {@link #ofLong} takes this column's JSON integers. */
        boolean readsLong() {
            return switch (kind) {
                case DATE, TIME_MILLIS, TIME_MICROS, TIME_NANOS, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS,
                     PLAIN, REAL -> true;
                default -> false;
            };
        }

        /** Whether {@link #ofDouble} takes this column's JSON numbers with a fraction or exponent. */
        boolean readsDouble() {
            return kind == Kind.PLAIN || kind == Kind.REAL;
        }

        /** The value of a JSON string; only where {@link #readsText()}. */
        String ofText(String text) {
            return switch (kind) {
                case ZONED_TIMESTAMP -> zonedTimestamp(text);
                case DECIMAL -> decimal(text, scale);
                case BASE64_BYTES -> "\\x" + hex(Base64.getDecoder().decode(text));
                case HEX_BYTES -> "\\x" + text;
                case NUMERIC -> numeric(text);
                case PLAIN, REAL -> text;
                default -> throw new IllegalStateException(kind + " is not read from a JSON string");
            };
        }

        /** The value of a JSON integer within long's range; only where {@link #readsLong()}. */
        String ofLong(long value) {
            return switch (kind) {
                case DATE -> date(value);
                case TIME_MILLIS -> time(value * 1_000L);
                case TIME_MICROS -> time(value);
                case TIME_NANOS -> time(value / 1_000L);
                case TIMESTAMP_MILLIS -> isInfinity(value) ? timestamp(value) : timestamp(Math.multiplyExact(value, 1_000L));
                case TIMESTAMP_MICROS -> timestamp(value);
                case TIMESTAMP_NANOS -> timestamp(value / 1_000L);
                // Through the double, as a real written as an integer always was.
                case REAL -> Float.toString((float) (double) value);
                case PLAIN -> Long.toString(value);
                default -> throw new IllegalStateException(kind + " is not read from a JSON integer");
            };
        }

        /** The value of a JSON number with a fraction or exponent; only where {@link #readsDouble()}. */
        String ofDouble(double value) {
            // A real arrives as the shortest decimal of the float; printing it as a double would
            // add digits that name a different real.
            return kind == Kind.REAL ? Float.toString((float) value) : Double.toString(value);
        }

        private String plain(JsonNode value) {
            if (value.isTextual()) {
                return ofText(value.asText());
            }
            if (value.isBoolean()) {
                return value.asBoolean() ? "true" : "false";
            }
            if (value.isIntegralNumber() && value.canConvertToLong()) {
                return ofLong(value.longValue());
            }
            if (value.isDouble()) {
                return ofDouble(value.doubleValue());
            }
            if (kind == Kind.REAL) {
                return Float.toString((float) value.asDouble());
            }
            if (value.isNumber()) {
                return value.asText();
            }
            throw new EventFormatException("column '" + column + "': unexpected JSON " + value.getNodeType()
                    + " for type " + connectType);
        }

        private String arrayLiteral(JsonNode array) {
            StringBuilder out = new StringBuilder("{");
            Iterator<JsonNode> it = array.elements();
            while (it.hasNext()) {
                String element = elements.text(it.next());
                if (element == null) {
                    out.append("NULL");
                } else {
                    out.append('"').append(element.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                }
                if (it.hasNext()) {
                    out.append(',');
                }
            }
            return out.append('}').toString();
        }
    }

    /** decimal.handling.mode=string spells numeric's infinities as Java enum names. */
    private static String numeric(String text) {
        return switch (text) {
            case "POSITIVE_INFINITY" -> "Infinity";
            case "NEGATIVE_INFINITY" -> "-Infinity";
            default -> text;
        };
    }

    private static String date(long epochDay) {
        LocalDate d = LocalDate.ofEpochDay(epochDay);
        return withEra(d.getYear(), d.toString());
    }

    private static String time(long micros) {
        if (micros == MICROS_PER_DAY) {
            return "24:00:00";
        }
        return LocalTime.ofNanoOfDay(micros * 1_000L).toString();
    }

    /**
     * Debezium's documented stand-ins for timestamp ±infinity (the PostgreSQL driver's
     * PGStatement.DATE_POSITIVE_INFINITY and DATE_NEGATIVE_INFINITY, written as they are in
     * milliseconds and microseconds alike): read back as infinity, though in microseconds the first is
     * also a real instant of the year 294247 (docs/encoding.md; the second is before PostgreSQL's range).
     */
    private static final long TIMESTAMP_POSITIVE_INFINITY = 9223372036825200000L;
    private static final long TIMESTAMP_NEGATIVE_INFINITY = -9223372036832400000L;

    private static boolean isInfinity(long timestamp) {
        return timestamp == TIMESTAMP_POSITIVE_INFINITY || timestamp == TIMESTAMP_NEGATIVE_INFINITY;
    }

    private static String timestamp(long epochMicros) {
        if (isInfinity(epochMicros)) {
            return epochMicros > 0 ? "infinity" : "-infinity";
        }
        long seconds = Math.floorDiv(epochMicros, 1_000_000L);
        long micros = Math.floorMod(epochMicros, 1_000_000L);
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(seconds, micros * 1_000L), ZoneOffset.UTC);
        return withEra(t.getYear(), t.toString());
    }

    /**
     * ISO 8601 in UTC, which PostgreSQL reads for years 1 to 9999; outside them ISO's signed years
     * ({@code -4712-01-01T00:00:00Z}) must become PostgreSQL's own form with an era.
     */
    private static String zonedTimestamp(String iso) {
        boolean fourDigitYear = Character.isDigit(iso.charAt(0)) && iso.indexOf('-') == 4 && !iso.startsWith("0000");
        if (fourDigitYear || iso.equals("infinity") || iso.equals("-infinity")) {
            return iso;
        }
        OffsetDateTime t = OffsetDateTime.parse(iso);
        String local = String.format(Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d.%06d", t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(), t.getNano() / 1_000);
        return withEra(t.getYear(), local + OFFSET.format(t));
    }

    /** ISO years before 1 are BC in PostgreSQL: ISO year 0 is 1 BC. */
    private static String withEra(int isoYear, String iso) {
        if (isoYear > 0) {
            // ISO signs years after 9999 (+10000-01-01), which PostgreSQL would read as a time zone.
            return iso.charAt(0) == '+' ? iso.substring(1) : iso;
        }
        String rest = iso.substring(iso.indexOf('-', 1));
        return String.format(Locale.ROOT, "%04d%s BC", 1 - isoYear, rest);
    }

    private static String decimal(String base64, int scale) {
        return new BigDecimal(new BigInteger(Base64.getDecoder().decode(base64)), scale).toPlainString();
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    private static String abbreviate(JsonNode value) {
        String s = value.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** The follower column type for a field: the leader's declared type when the log carries it. */
    public static PgType typeOf(JsonNode field, String column) {
        JsonNode params = field.path("parameters");
        String sourceType = params.path("__debezium.source.column.type").asText("");
        if (!sourceType.isEmpty()) {
            // Debezium upper-cases every type name, user-defined ones included, so the original
            // spelling is gone: take PostgreSQL's own folding of an unquoted name.
            return new PgType(sourceType.toLowerCase(Locale.ROOT),
                    intOrNull(params.path("__debezium.source.column.length")),
                    intOrNull(params.path("__debezium.source.column.scale")));
        }
        throw new EventFormatException("column '" + column + "' carries no source column type "
                + "(capture must run with column.propagate.source.type)");
    }

    /**
     * The labels of an enum column's type, in order, from Debezium's {@code allowed} parameter
     * (comma-separated: capture refuses enums whose labels contain a comma); empty for other types.
     */
    public static List<String> enumLabels(JsonNode field) {
        if (!"io.debezium.data.Enum".equals(field.path("name").asText())) {
            return List.of();
        }
        String allowed = field.path("parameters").path("allowed").asText("");
        return allowed.isEmpty() ? List.of() : List.of(allowed.split(",", -1));
    }

    private static Integer intOrNull(JsonNode n) {
        if (n.isMissingNode() || n.isNull() || n.asText().isEmpty()) {
            return null;
        }
        return Integer.valueOf(n.asText());
    }
}
