package dev.replog.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {

    @Test
    void anUnknownApplyModeIsRefusedNamingTheOptionBeforeAnythingStarts() {
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new BenchCommand("unused")).setErr(new PrintWriter(err));

        assertEquals(2, command.execute("--apply-mode", "rows"));
        assertTrue(err.toString().contains("--apply-mode: unknown apply mode 'rows'; one of row, transactional, both"), err.toString());
    }

    @Test
    void eachApplyModeChoiceNamesTheReplogModesItRuns() {
        assertEquals(List.of(ReplicationKind.REPLOG), ReplicationKind.replogModes("row"));
        assertEquals(List.of(ReplicationKind.TRANSACTIONAL), ReplicationKind.replogModes("transactional"));
        assertEquals(List.of(ReplicationKind.REPLOG, ReplicationKind.TRANSACTIONAL), ReplicationKind.replogModes("both"));
        assertThrows(IllegalArgumentException.class, () -> ReplicationKind.replogModes("all"));
    }
}
