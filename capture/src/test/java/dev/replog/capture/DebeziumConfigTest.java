package dev.replog.capture;

import dev.replog.schemas.TableId;
import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DebeziumConfigTest {

    @Test
    void anExactTableRegexMatchesOnlyThatTableWhateverItsName() {
        Pattern p = Pattern.compile(DebeziumConfig.includeRegex(new TableId("Weird Schema", "Select Ünï 🚀 (x)+")));
        assertTrue(p.matcher("Weird Schema.Select Ünï 🚀 (x)+").matches());
        assertFalse(p.matcher("Weird Schema.Select Ünï 🚀 (x)").matches());
    }

    @Test
    void aStarInAnEntryMatchesAnyCharacters() {
        Pattern p = Pattern.compile(DebeziumConfig.includeRegex(new TableId("public", "*")));
        assertTrue(p.matcher("public.created_later").matches());
        assertFalse(p.matcher("other.items").matches());
    }

    @Test
    void namesDebeziumCannotSnapshotAreRefusedNamingTheTable() {
        CaptureException e = assertThrows(CaptureException.class, () -> DebeziumConfig.includeRegex(new TableId("s", "Ta.ble")));
        assertTrue(e.getMessage().startsWith("table s.Ta.ble:"), e.getMessage());
    }
}
