package dev.replog.bench;

/** Peak resident memory (VmHWM) of one Replog process during one workload; {@code kind} null for the broker, shared by all. */
record MemoryFigure(String workload, ReplicationKind kind, String process, long bytes) {

    double mebibytes() {
        return bytes / (1024.0 * 1024.0);
    }
}
