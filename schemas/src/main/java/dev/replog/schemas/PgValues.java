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
        String semantic = field.path("name").asText("");
        String connectType = field.path("type").asText("");
        try {
            return switch (semantic) {
                case "io.debezium.time.Date" -> date(value.asLong());
                case "io.debezium.time.Time" -> time(value.asLong() * 1_000L);
                case "io.debezium.time.MicroTime" -> time(value.asLong());
                case "io.debezium.time.NanoTime" -> time(value.asLong() / 1_000L);
                case "io.debezium.time.Timestamp" -> timestamp(Math.multiplyExact(value.asLong(), 1_000L));
                case "io.debezium.time.MicroTimestamp" -> timestamp(value.asLong());
                case "io.debezium.time.NanoTimestamp" -> timestamp(value.asLong() / 1_000L);
                case "io.debezium.time.ZonedTimestamp" -> zonedTimestamp(value.asText());
                case "org.apache.kafka.connect.data.Decimal" -> decimal(value.asText(), field.path("parameters").path("scale").asInt());
                case "io.debezium.data.VariableScaleDecimal" -> decimal(value.path("value").asText(), value.path("scale").asInt());
                default -> plain(field, connectType, value, column);
            };
        } catch (RuntimeException e) {
            throw new EventFormatException("column '" + column + "': cannot read value " + abbreviate(value)
                    + " as " + (semantic.isEmpty() ? connectType : semantic) + ": " + e.getMessage(), e);
        }
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
        if (!value.isTextual()) {
            return false;
        }
        String text = value.asText();
        return text.equals(UNAVAILABLE) || text.equalsIgnoreCase(UNAVAILABLE_HEX) || text.equals(UNAVAILABLE_BASE64);
    }

    private static String plain(JsonNode field, String connectType, JsonNode value, String column) {
        if (connectType.equals("array")) {
            return arrayLiteral(field.path("items"), value, column);
        }
        if (connectType.equals("bytes")) {
            // binary.handling.mode=bytes: base64 on the wire.
            return "\\x" + hex(Base64.getDecoder().decode(value.asText()));
        }
        String sourceType = field.path("parameters").path("__debezium.source.column.type").asText("");
        if (connectType.equals("string") && sourceType.equalsIgnoreCase("BYTEA")) {
            // binary.handling.mode=hex: the hex digits of the bytes.
            return "\\x" + value.asText();
        }
        if (sourceType.equalsIgnoreCase("NUMERIC") || sourceType.equalsIgnoreCase("DECIMAL")) {
            return numeric(value.asText());
        }
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isBoolean()) {
            return value.asBoolean() ? "true" : "false";
        }
        if (connectType.equals("float")) {
            // A real arrives as the shortest decimal of the float; printing it as a double would
            // add digits that name a different real.
            return Float.toString((float) value.asDouble());
        }
        if (value.isNumber()) {
            return value.asText();
        }
        throw new EventFormatException("column '" + column + "': unexpected JSON " + value.getNodeType()
                + " for type " + connectType);
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

    private static String timestamp(long epochMicros) {
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
            return iso;
        }
        String rest = iso.substring(iso.indexOf('-', 1));
        return String.format(Locale.ROOT, "%04d%s BC", 1 - isoYear, rest);
    }

    private static String decimal(String base64, int scale) {
        return new BigDecimal(new BigInteger(Base64.getDecoder().decode(base64)), scale).toPlainString();
    }

    private static String arrayLiteral(JsonNode items, JsonNode array, String column) {
        StringBuilder out = new StringBuilder("{");
        Iterator<JsonNode> it = array.elements();
        while (it.hasNext()) {
            String element = toText(items, it.next(), column);
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
