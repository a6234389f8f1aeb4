package dev.replog.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatermarkFormatTest {

    private static final Lsn LSN = Lsn.parse("1A/2B3C4D5E");
    private static final Instant COMMIT = Instant.ofEpochMilli(1_700_000_000_123L);

    @Test
    void aWatermarkReadsBackAsWrittenWithItsLsnAndCommitTimeAndNoTable() {
        ChangeEvent decoded = new EnvelopeDecoder().decode(null, WatermarkFormat.write(LSN, COMMIT));
        assertEquals(new Watermark(LSN, COMMIT), decoded);
        assertEquals(new SourcePosition(LSN, 0, COMMIT, false), decoded.source());
    }

    @Test
    void theStreamedPathLeavesAWatermarkToTheTreePath() {
        EnvelopeDecoder decoder = new EnvelopeDecoder();
        byte[] value = WatermarkFormat.write(LSN, COMMIT);
        assertNull(decoder.decodeStreamed(null, value));
        assertEquals(new Watermark(LSN, COMMIT), decoder.decodeTree(null, value));
    }

    @Test
    void theValueIsTheDocumentedEnvelopeWithoutSchema() throws Exception {
        JsonNode value = new ObjectMapper().readTree(WatermarkFormat.write(LSN, COMMIT));
        assertTrue(value.get("schema").isNull());
        assertEquals(WatermarkFormat.OP, value.at("/payload/op").asText());
        assertTrue(WatermarkFormat.OP.startsWith("replog."), "generic sinks skip every op starting with replog.");
        assertEquals(LSN.value(), value.at("/payload/source/lsn").asLong());
        assertEquals(COMMIT.toEpochMilli(), value.at("/payload/source/ts_ms").asLong());
    }

    @Test
    void aWatermarkWithoutItsLsnIsRefusedAsMalformed() {
        byte[] value = "{\"schema\":null,\"payload\":{\"op\":\"replog.watermark\",\"source\":{\"ts_ms\":1}}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(EventFormatException.class, () -> new EnvelopeDecoder().decode(null, value));
    }
}
