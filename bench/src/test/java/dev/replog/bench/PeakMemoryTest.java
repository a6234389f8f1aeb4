package dev.replog.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeakMemoryTest {

    @Test
    void readsTheHighWaterMarkInBytes(@TempDir Path dir) throws Exception {
        Path status = dir.resolve("status");
        Files.write(status, List.of("Name:\tjava", "VmPeak:\t 5000000 kB", "VmHWM:\t  412345 kB", "VmRSS:\t  300000 kB"));

        assertEquals(OptionalLong.of(412_345L * 1024), PeakMemory.parse(status));
    }

    @Test
    void aProcessThatIsGoneHasNoFigure(@TempDir Path dir) {
        assertTrue(PeakMemory.parse(dir.resolve("missing")).isEmpty());
    }

    @Test
    void thisJvmHasAPeakOfSomeMegabytes() {
        OptionalLong peak = PeakMemory.of(ProcessHandle.current().pid());

        assertTrue(peak.isPresent() && peak.getAsLong() > 10L * 1024 * 1024, "VmHWM of this JVM: " + peak);
    }
}
