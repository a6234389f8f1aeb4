package dev.replog.schemas.compact;

import dev.replog.schemas.Lsn;
import dev.replog.schemas.SchemaChange;
import dev.replog.schemas.SchemaChangeFormat;
import dev.replog.schemas.SourcePosition;
import dev.replog.schemas.TableDefinition.ColumnDefinition;
import dev.replog.schemas.TableDefinition;
import dev.replog.schemas.TableId;
import dev.replog.schemas.Watermark;
import dev.replog.schemas.WatermarkFormat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CompactWireTest {

    private final LogDecoder decoder = new LogDecoder(new InMemorySchemas());

    @Test
    void aWatermarkIsItsJsonPayloadAfterSchemaIdZeroAndReadsBackAsWritten() {
        byte[] framed = CompactWire.schemaless(WatermarkFormat.write(Lsn.parse("0/16B3748"), Instant.ofEpochMilli(1234)));
        assertEquals(SchemaId.NONE, CompactWire.schemaId(framed, "value"));
        assertEquals("{\"op\":\"replog.watermark\",\"source\":{\"lsn\":23803720,\"ts_ms\":1234}}",
                new String(framed, CompactWire.HEADER, framed.length - CompactWire.HEADER, StandardCharsets.UTF_8));
        assertEquals(new Watermark(Lsn.parse("0/16B3748"), Instant.ofEpochMilli(1234)), decoder.decode(null, framed));
    }

    @Test
    void aSchemaChangeReadsBackAsWritten() {
        TableId table = new TableId("public", "t");
        SchemaChange change = new SchemaChange(table, new TableDefinition(table, 1, List.of(
                new ColumnDefinition("id", 1, "integer", "int4", -1, true, null, null)), List.of("id"), List.of()),
                new SourcePosition(Lsn.parse("0/1"), 7, Instant.ofEpochMilli(1000), true));
        assertEquals(change, decoder.decode(null, CompactWire.schemaless(SchemaChangeFormat.write(change))));
    }

    @Test
    void aValueWithASchemaIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> CompactWire.schemaless("{\"schema\":{\"type\":\"int32\"},\"payload\":1}".getBytes(StandardCharsets.UTF_8)));
    }
}
