package dev.replog.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessCpuTest {

    @TempDir
    Path proc;

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        ProcessCpu.Stat s = ProcessCpu.parseStat(stat(101, "postgres: walsender postgres 127.0.0.1(5432) streaming", 100, 7, 3, 0, 0));

        assertEquals(new ProcessCpu.Stat(101, 100, 10, 0), s);
    }

    @Test
    void aServerCountsItsBackendsAndTheBackendsThatAlreadyExited() throws Exception {
        process(100, "postgres", 1, 5, 1, 40, 2);       // postmaster: 42 ticks of reaped backends
        process(101, "postgres: walsender", 100, 30, 10, 0, 0);
        process(102, "postgres: bench", 100, 8, 2, 0, 0);
        process(500, "unrelated", 1, 999, 0, 0, 0);
        machine(1000, 50, 300, 600, 10, 0, 5, 0);

        ProcessCpu.Snapshot s = new ProcessCpu(proc, Map.of("leader PostgreSQL", 100L)).snapshot();

        assertEquals(6 + 42 + 40 + 10, s.ticks().get("leader PostgreSQL"));
        assertEquals(1000 + 50 + 300 + 5, s.machineBusy());
        assertEquals(1000 + 50 + 300 + 600 + 10 + 5, s.machineTotal());
    }

    @Test
    void aNamedChildIsCountedForItselfOnlyNotAgainInItsParent() throws Exception {
        process(200, "java", 1, 100, 20, 0, 0);        // the bench
        process(201, "pgbench", 200, 30, 5, 0, 0);     // its pgbench: the bench's
        process(300, "java", 200, 400, 40, 0, 0);      // capture, a child JVM of the bench
        process(301, "java", 200, 50, 5, 0, 0);        // applier
        machine(1, 0, 0, 0, 0, 0, 0, 0);
        Map<String, Long> roots = new LinkedHashMap<>();
        roots.put("bench driver", 200L);

        ProcessCpu.Snapshot s = new ProcessCpu(proc, roots).with(Map.of("capture", 300L, "applier", 301L)).snapshot();

        assertEquals(155, s.ticks().get("bench driver"));
        assertEquals(440, s.ticks().get("capture"));
        assertEquals(55, s.ticks().get("applier"));
    }

    @Test
    void aPhaseIsTheDifferenceOfTwoSnapshotsAndAProcessThatStartedInBetweenCountsAllItsTime() {
        ProcessCpu.Snapshot before = new ProcessCpu.Snapshot(Map.of("a", 10L), 100, 400);
        ProcessCpu.Snapshot after = new ProcessCpu.Snapshot(new LinkedHashMap<>(Map.of("a", 25L, "b", 7L)), 180, 600);

        ProcessCpu.Snapshot delta = after.minus(before);

        assertEquals(15, delta.ticks().get("a"));
        assertEquals(7, delta.ticks().get("b"));
        assertEquals(80, delta.machineBusy());
        assertEquals(200, delta.machineTotal());
    }

    @Test
    void idleAndIowaitAreNotBusy() {
        assertArrayEquals(new long[] {10 + 2 + 3 + 1 + 1 + 1, 10 + 2 + 3 + 50 + 4 + 1 + 1 + 1},
                ProcessCpu.parseMachine("cpu  10 2 3 50 4 1 1 1 0 0"));
    }

    @Test
    @Timeout(60)
    void thisJvmIsChargedTheCpuItSpends() {
        ProcessCpu cpu = ProcessCpu.of(Map.of("this JVM", ProcessHandle.current().pid()));
        long before = cpu.snapshot().ticks().get("this JVM");
        long sink = 0;
        // Spin until the kernel charged at least one more tick (10 ms of CPU); bounded by the test timeout.
        while (cpu.snapshot().ticks().get("this JVM") <= before) {
            for (int i = 0; i < 1_000_000; i++) {
                sink += Long.rotateLeft(sink ^ i, 7);
            }
        }
        assertTrue(sink != 1, "keeps the loop from being optimised away");
    }

    private void process(long pid, String comm, long parent, long utime, long stime, long cutime, long cstime) throws Exception {
        Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(proc.resolve(Long.toString(pid)).resolve("stat"), stat(pid, comm, parent, utime, stime, cutime, cstime));
    }

    private void machine(long... fields) throws Exception {
        StringBuilder line = new StringBuilder("cpu ");
        for (long f : fields) {
            line.append(' ').append(f);
        }
        Files.writeString(proc.resolve("stat"), line + "\ncpu0 1 2 3\n");
    }

    /** A /proc/PID/stat line: fields 1-17 as proc(5) lists them, then the rest as zeros. */
    private static String stat(long pid, String comm, long parent, long utime, long stime, long cutime, long cstime) {
        return pid + " (" + comm + ") S " + parent + " " + pid + " " + pid + " 0 -1 4194304 100 0 0 0 "
                + utime + " " + stime + " " + cutime + " " + cstime + " 20 0 1 0 100 1000 50\n";
    }
}
