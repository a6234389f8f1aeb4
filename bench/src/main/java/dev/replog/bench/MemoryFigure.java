package dev.replog.bench;

/** Peak resident memory (VmHWM) of one Replog process during one workload. */
record MemoryFigure(String workload, String process, long bytes) {

    double mebibytes() {
        return bytes / (1024.0 * 1024.0);
    }
}
