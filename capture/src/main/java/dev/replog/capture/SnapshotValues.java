package dev.replog.capture;

import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.data.SpecialValueDecimal;
import io.debezium.relational.Column;
import org.postgresql.util.PGobject;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Turns a column's text, as {@code COPY ... TO STDOUT} prints it, into the value Debezium's JDBC
 * snapshot hands its converters for that column (pgjdbc's {@code getObject}, or what Debezium's
 * {@code PostgresConnection#getColumnValue} reads instead), so that the converters make the same
 * Connect value from it. The list is finite: only the types that keep Debezium's own form
 * ({@link PgTextConverter#DEBEZIUM_EXACT}, domains over integers) need their Java object; every other
 * column is PostgreSQL's text in the log ({@link PgTextConverter}), which the text is already.
 */
final class SnapshotValues {

    private SnapshotValues() {
    }

    /** Whether {@link #of} passes a column's text through unparsed (to {@link PgTextConverter}). */
    static boolean isText(Column c) {
        return !PgTextConverter.keepsDebeziumForm(c.typeName(), c.jdbcType());
    }

    static Object of(Column c, String text) throws SQLException {
        if (text == null) {
            return null;
        }
        if (c.typeName().equals("money")) {
            // Debezium reads money as a plain number (its PostgresMoney), which is then its text: the
            // log holds no currency symbol or separators of the leader's lc_monetary.
            return money(text);
        }
        if (isText(c)) {
            return text;
        }
        switch (c.typeName()) {
            case "int2", "int4":
                return Integer.valueOf(text);
            case "int8":
                return Long.valueOf(text);
            case "float4":
                return Float.valueOf(text);
            case "float8":
                return Double.valueOf(text);
            case "bool":
                return "t".equals(text);
            case "numeric":
                return PostgresValueConverter.toSpecialValue(text).orElseGet(() -> new SpecialValueDecimal(new BigDecimal(text)));
            case "text", "varchar", "bpchar", "time", "timestamptz":
                // time, timestamptz: Debezium reads them as text and parses it in its converter
                return text;
            case "bytea":
                return HexFormat.of().parseHex(text, 2, text.length()); // bytea_output=hex: \x...
            case "uuid":
                return UUID.fromString(text);
            case "json", "jsonb", "inet", "cidr", "macaddr":
                PGobject o = new PGobject();
                o.setType(c.typeName());
                o.setValue(text);
                return o;
            default:
                break;
        }
        // A domain over an integer: the driver reads its base type.
        return switch (c.jdbcType()) {
            case Types.SMALLINT, Types.INTEGER -> Integer.valueOf(text);
            case Types.BIGINT -> Long.valueOf(text);
            default -> throw new IllegalStateException("column '" + c.name() + "' of type " + c.typeName()
                    + ": no snapshot value for its Debezium form");
        };
    }

    /** Money's text ({@code $1,234.56}, {@code -$1.00}) as a number, as Debezium's reader makes it. */
    static BigDecimal money(String text) {
        boolean negative = text.startsWith("-") || text.startsWith("(");
        StringBuilder digits = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (Character.isDigit(ch) || ch == '.') {
                digits.append(ch);
            }
        }
        BigDecimal value = new BigDecimal(digits.toString());
        return negative ? value.negate() : value;
    }
}
