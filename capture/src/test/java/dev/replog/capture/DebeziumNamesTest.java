package dev.replog.capture;

import dev.replog.schemas.TableId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class DebeziumNamesTest {

    @Test
    void dotsQuotesCommasAndSpacesInsideANameAreFine() {
        assertNull(DebeziumNames.problem(new TableId("My.Schema", "we\"ird.Tab le")));
        assertNull(DebeziumNames.problem(new TableId("a,b", "it's `x` a\"\"b")));
    }

    @Test
    void columnNamesDebeziumStreamsUnderAnotherNameAreRefused() {
        assertNull(DebeziumNames.columnProblem(List.of("id", "say \"hi\"", "\"lead", "trail\"", "a.b", "'", "Ünï")));
        assertNotNull(DebeziumNames.columnProblem(List.of("id", "\"w\"")));
        assertNotNull(DebeziumNames.columnProblem(List.of("id", "'q'")));
        assertNotNull(DebeziumNames.columnProblem(List.of("id", "`b`")));
        assertNotNull(DebeziumNames.columnProblem(List.of("id", "Name", "name")));
    }

    @Test
    void namesDebeziumReadsBackAsAnotherNameAreRefused() {
        assertNotNull(DebeziumNames.problem(new TableId("public", "\"quoted\"")));
        assertNotNull(DebeziumNames.problem(new TableId("trailing\"", "t")));
        assertNotNull(DebeziumNames.problem(new TableId("public", "it''s")));
        assertNotNull(DebeziumNames.problem(new TableId("public", "a``b")));
    }
}
