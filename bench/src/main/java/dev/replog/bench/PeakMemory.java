package dev.replog.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Peak resident memory of a process: the kernel's high-water mark VmHWM from /proc/PID/status,
 * which counts every page the process ever had resident (heap, metaspace, thread stacks, direct
 * buffers), not just the Java heap.
 */
public final class PeakMemory {

    private PeakMemory() {
    }

    public static OptionalLong of(long pid) {
        return parse(Path.of("/proc", Long.toString(pid), "status"));
    }

    static OptionalLong parse(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    // "VmHWM:    123456 kB"
                    String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024L);
                }
            }
        } catch (IOException | RuntimeException gone) {
            // The process exited or this is not Linux: no figure rather than a wrong one.
        }
        return OptionalLong.empty();
    }
}
