package dev.replog.schemas;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding Debezium envelopes as capture writes them (JsonConverter, schemas embedded). */
class EnvelopeDecoderTest {

    private static final String KEY = """
            {"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"}],
             "optional":false,"name":"t.public.items.Key"},"payload":{"id":7}}""";

    private static String value(String op, String before, String after) {
        String field = """
                {"type":"struct","optional":true,"name":"t.public.items.Value","field":"%s","fields":[
                  {"type":"int64","optional":false,"field":"id","parameters":{"__debezium.source.column.type":"INT8","__debezium.source.column.length":"19","__debezium.source.column.scale":"0"}},
                  {"type":"string","optional":true,"field":"price","parameters":{"__debezium.source.column.type":"NUMERIC","__debezium.source.column.length":"12","__debezium.source.column.scale":"2"}},
                  {"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","field":"at","parameters":{"__debezium.source.column.type":"TIMESTAMP"}},
                  {"type":"int32","optional":true,"name":"io.debezium.time.Date","field":"day","parameters":{"__debezium.source.column.type":"DATE"}},
                  {"type":"array","optional":true,"field":"tags","items":{"type":"string","optional":true},"parameters":{"__debezium.source.column.type":"_TEXT"}},
                  {"type":"string","optional":true,"field":"raw","parameters":{"__debezium.source.column.type":"BYTEA"}}
                ]}""";
        return """
                {"schema":{"type":"struct","name":"t.public.items.Envelope","fields":[%s,%s,
                  {"type":"string","optional":false,"field":"op"}]},
                 "payload":{"before":%s,"after":%s,"op":"%s",
                   "source":{"schema":"public","table":"items","lsn":23456789,"txId":771,"ts_ms":1700000000000,"snapshot":"false"}}}"""
                .formatted(field.formatted("before"), field.formatted("after"), before, after, op);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private final EnvelopeDecoder decoder = new EnvelopeDecoder();

    @Test
    void insertCarriesValuesInPostgresTextForm() {
        String after = """
                {"id":7,"price":"12345678901.25","at":1700000000123456,"day":-1,"tags":["a","b \\"q\\"",null],"raw":"00ff10"}""";
        RowChange c = assertInstanceOf(RowChange.class, decoder.decode(bytes(KEY), bytes(value("c", "null", after))));
        assertEquals(new TableId("public", "items"), c.table());
        assertEquals(Operation.CREATE, c.op());
        assertEquals("12345678901.25", c.after().get("price"));
        assertEquals("2023-11-14T22:13:20.123456", c.after().get("at"));
        assertEquals("1969-12-31", c.after().get("day"));
        assertEquals("{\"a\",\"b \\\"q\\\"\",NULL}", c.after().get("tags"));
        assertEquals("\\x00ff10", c.after().get("raw"));
        assertEquals(java.util.List.of("id"), c.schema().keyColumns());
        assertEquals("numeric(12,2)", c.schema().columns().get(1).type().toSql());
        assertEquals(new Lsn(23456789), c.source().lsn());
        assertEquals(771, c.source().txId());
    }

    @Test
    void explicitNullStaysNull() {
        String after = """
                {"id":7,"price":null,"at":null,"day":null,"tags":null,"raw":null}""";
        RowChange c = (RowChange) decoder.decode(bytes(KEY), bytes(value("u", "null", after)));
        assertTrue(c.after().has("price"));
        assertNull(c.after().get("price"));
    }

    @Test
    void deleteIdentifiesTheRowByItsBeforeImage() {
        String before = """
                {"id":7,"price":null,"at":null,"day":null,"tags":null,"raw":null}""";
        RowChange c = (RowChange) decoder.decode(bytes(KEY), bytes(value("d", before, "null")));
        assertEquals(Operation.DELETE, c.op());
        assertEquals("7", c.keyRow().get("id"));
    }

    @Test
    void datesBeforeYearOneAreWrittenAsBc() {
        long day = java.time.LocalDate.of(-1, 12, 31).toEpochDay(); // ISO year -1 is 2 BC
        String after = """
                {"id":7,"price":null,"at":null,"day":%d,"tags":null,"raw":null}""".formatted(day);
        RowChange c = (RowChange) decoder.decode(bytes(KEY), bytes(value("c", "null", after)));
        assertEquals("0002-12-31 BC", c.after().get("day"));
    }

    @Test
    void truncateNeedsNoKey() {
        String v = """
                {"schema":{"type":"struct","fields":[]},"payload":{"op":"t","before":null,"after":null,
                 "source":{"schema":"public","table":"items","lsn":99,"txId":5,"ts_ms":1}}}""";
        Truncate t = assertInstanceOf(Truncate.class, decoder.decode(null, bytes(v)));
        assertEquals(new TableId("public", "items"), t.table());
    }

    @Test
    void malformedJsonIsAFormatErrorNotACrash() {
        EventFormatException e = assertThrows(EventFormatException.class, () -> decoder.decode(bytes(KEY), bytes("{not json")));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void rowChangeWithoutKeyIsRefused() {
        String after = """
                {"id":7,"price":null,"at":null,"day":null,"tags":null,"raw":null}""";
        EventFormatException e = assertThrows(EventFormatException.class,
                () -> decoder.decode(null, bytes(value("c", "null", after))));
        assertTrue(e.getMessage().contains("no key"), e.getMessage());
    }
}
