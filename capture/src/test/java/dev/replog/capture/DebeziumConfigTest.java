package dev.replog.capture;

import dev.replog.schemas.TableId;
import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DebeziumConfigTest {

    /** As Debezium compiles table.include.list entries (io.debezium.function.Predicates#includes). */
    private static Pattern asDebezium(TableId t) {
        return Pattern.compile(DebeziumConfig.includeRegex(t), Pattern.CASE_INSENSITIVE);
    }

    @Test
    void anExactTableRegexMatchesOnlyThatTableWhateverItsName() {
        Pattern p = asDebezium(new TableId("Weird Schema", "Select Ünï 🚀 (x)+"));
        assertTrue(p.matcher("Weird Schema.Select Ünï 🚀 (x)+").matches());
        assertFalse(p.matcher("Weird Schema.Select Ünï 🚀 (x)").matches());
        assertTrue(asDebezium(new TableId("My.Schema", "we\"ird.Tab le")).matcher("My.Schema.we\"ird.Tab le").matches());
    }

    @Test
    void debeziumsCaseInsensitiveMatchingIsTurnedOff() {
        assertFalse(asDebezium(new TableId("public", "Orders")).matcher("public.orders").matches());
        assertFalse(asDebezium(new TableId("public", "order*")).matcher("public.ORDERS").matches());
    }

    @Test
    void aCommaInANameNeverSplitsDebeziumsList() {
        String regex = DebeziumConfig.includeRegex(new TableId("public", "a,b"));
        assertFalse(regex.contains(","), regex);
        assertTrue(Pattern.compile(regex).matcher("public.a,b").matches());
    }

    @Test
    void aStarInAnEntryMatchesAnyCharacters() {
        Pattern p = asDebezium(new TableId("public", "*"));
        assertTrue(p.matcher("public.created_later").matches());
        assertFalse(p.matcher("other.items").matches());
    }
}
