package dev.replog.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Values of the log in PostgreSQL's text input form, for the cases Debezium spells its own way. */
class PgValuesTest {

    private final ObjectMapper json = new ObjectMapper();

    private String text(String field, String value) throws Exception {
        return PgValues.toText(json.readTree(field), json.readTree(value), "c");
    }

    private static String field(String connectType, String name, String sourceType) {
        return "{\"type\":\"" + connectType + "\"" + (name == null ? "" : ",\"name\":\"" + name + "\"")
                + ",\"parameters\":{\"__debezium.source.column.type\":\"" + sourceType + "\"}}";
    }

    @Test
    void floatsKeepNegativeZeroAndRealsKeepTheirShortestDigits() throws Exception {
        assertEquals("-0.0", text(field("double", null, "FLOAT8"), "-0.0"));
        assertEquals("-0.0", text(field("float", null, "FLOAT4"), "-0.0"));
        assertEquals("3.4028235E38", text(field("float", null, "FLOAT4"), "3.4028235E38"));
        assertEquals("0.1", text(field("float", null, "FLOAT4"), "0.1"));
        assertEquals("4.9E-324", text(field("double", null, "FLOAT8"), "4.9E-324"));
        assertEquals("NaN", text(field("float", null, "FLOAT4"), "\"NaN\""));
    }

    @Test
    void numericInfinitiesBecomePostgresSpellings() throws Exception {
        assertEquals("Infinity", text(field("string", null, "NUMERIC"), "\"POSITIVE_INFINITY\""));
        assertEquals("-Infinity", text(field("string", null, "NUMERIC"), "\"NEGATIVE_INFINITY\""));
        assertEquals("NAN", text(field("string", null, "NUMERIC"), "\"NAN\""));
        assertEquals("POSITIVE_INFINITY", text(field("string", null, "TEXT"), "\"POSITIVE_INFINITY\""));
    }

    @Test
    void zonedTimestampsOutsideIsoFourDigitYearsGetAnEra() throws Exception {
        String tstz = field("string", "io.debezium.time.ZonedTimestamp", "TIMESTAMPTZ");
        assertEquals("2023-06-01T07:04:56.789012Z", text(tstz, "\"2023-06-01T07:04:56.789012Z\""));
        assertEquals("4713-01-01 00:00:00.000000+00:00 BC", text(tstz, "\"-4712-01-01T00:00:00Z\""));
        assertEquals("0001-01-01 00:00:00.000000+00:00 BC", text(tstz, "\"0000-01-01T00:00:00Z\""));
        assertEquals("-infinity", text(tstz, "\"-infinity\""));
    }

    @Test
    void debeziumTimestampInfinitiesBecomeInfinityInMillisAndMicros() throws Exception {
        String micros = field("int64", "io.debezium.time.MicroTimestamp", "TIMESTAMP");
        String millis = field("int64", "io.debezium.time.Timestamp", "TIMESTAMP");
        assertEquals("infinity", text(micros, "9223372036825200000"));
        assertEquals("-infinity", text(micros, "-9223372036832400000"));
        assertEquals("infinity", text(millis, "9223372036825200000"));
        assertEquals("-infinity", text(millis, "-9223372036832400000"));
        assertEquals("{infinity,NULL}", text("{\"type\":\"array\",\"items\":{\"type\":\"int64\","
                + "\"name\":\"io.debezium.time.MicroTimestamp\"}}", "[9223372036825200000,null]").replace("\"", ""));
        assertEquals("2024-02-29T13:14:15.123456", text(micros, "1709212455123456"));
    }

    @Test
    void debeziumDatesAndTimestampsAfterYear9999LoseIsosSign() throws Exception {
        assertEquals("5874897-12-31", text(field("int32", "io.debezium.time.Date", "DATE"), "2145042905"));
        assertEquals("10000-01-01T00:00", text(field("int64", "io.debezium.time.MicroTimestamp", "TIMESTAMP"), "253402300800000000"));
    }

    @Test
    void elementsOfAByteaArrayInHexAreBytes() throws Exception {
        String array = "{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
                + "\"parameters\":{\"__debezium.source.column.type\":\"_BYTEA\"}}";
        assertEquals("{\"\\\\xdeadbeef\",NULL,\"\\\\x\"}", text(array, "[\"deadbeef\",null,\"\"]"));
    }

    @Test
    void postgresTextPassesThrough() throws Exception {
        assertEquals("[0:1]={7,8}", text(field("string", "dev.replog.PgText", "_INT4"), "\"[0:1]={7,8}\""));
        assertEquals("0044-03-15 BC", text(field("string", "dev.replog.PgText", "DATE"), "\"0044-03-15 BC\""));
    }

    @Test
    void userTypeNamesAreFoldedAsPostgresFoldsUnquotedNames() throws Exception {
        JsonNode f = json.readTree(field("string", "io.debezium.data.Enum", "MOOD").replace("\"parameters\":{",
                "\"parameters\":{\"allowed\":\"sad,ok,happy\","));
        assertEquals(PgType.of("mood"), PgValues.typeOf(f, "c"));
        assertEquals(List.of("sad", "ok", "happy"), PgValues.enumLabels(f));
    }
}
