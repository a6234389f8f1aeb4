package dev.replog.bench.serve;

import dev.replog.bench.ProcessCpu;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the machine's CPU went during one phase: cores used per process (CPU seconds over wall
 * seconds), the share of all cores that was busy, and the busy cores no named process used ("other":
 * the kernel's own work, and on a shared machine someone else's).
 */
record PhaseCpu(String phase, Map<String, Double> cores, double busyShare, int cpus) {

    static PhaseCpu of(String phase, ProcessCpu.Snapshot delta, double wallSeconds) {
        Map<String, Double> cores = new LinkedHashMap<>();
        delta.ticks().forEach((name, ticks) -> cores.put(name, ticks / ProcessCpu.TICKS_PER_SECOND / wallSeconds));
        return new PhaseCpu(phase, cores, delta.machineBusy() / (double) Math.max(1, delta.machineTotal()),
                Runtime.getRuntime().availableProcessors());
    }

    String line() {
        StringBuilder sb = new StringBuilder(String.format("%-34s %3.0f%% of %d cores busy;", phase, busyShare * 100, cpus));
        cores.forEach((name, c) -> sb.append(String.format(" %s %.2f", name, c)));
        double named = cores.values().stream().mapToDouble(Double::doubleValue).sum();
        return sb.append(String.format(", other %.2f", Math.max(0, busyShare * cpus - named))).toString();
    }
}
