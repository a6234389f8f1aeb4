package dev.replog.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time spent during one measured phase of a workload (e.g. the bulk insert until the follower
 * had every row), per process, and by the whole machine. On a machine whose cores are all busy,
 * what one replication costs in CPU per row is what bounds its throughput.
 *
 * @param seconds     CPU seconds per process tree, in report order
 * @param machineBusy CPU seconds all cores were busy, whoever used them
 * @param machineAll  CPU seconds the cores had (wall time × cores)
 * @param units       rows (or transactions) the phase replicated, for the cost per unit
 * @param unit        what one unit is: "row" or "transaction"
 */
record CpuFigure(String workload, ReplicationKind kind, String phase, double wallSeconds, Map<String, Double> seconds,
                 double machineBusy, double machineAll, long units, String unit) {

    static CpuFigure of(String workload, ReplicationKind kind, String phase, double wallSeconds, ProcessCpu.Snapshot delta,
                        long units, String unit) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        delta.ticks().forEach((name, ticks) -> seconds.put(name, ticks / ProcessCpu.TICKS_PER_SECOND));
        return new CpuFigure(workload, kind, phase, wallSeconds, seconds, delta.machineBusy() / ProcessCpu.TICKS_PER_SECOND,
                delta.machineTotal() / ProcessCpu.TICKS_PER_SECOND, units, unit);
    }

    /** Busy CPU not charged to any named process (other users of the machine, kernel threads). */
    double otherSeconds() {
        return Math.max(0, machineBusy - seconds.values().stream().mapToDouble(Double::doubleValue).sum());
    }

    /** The share of all cores that was busy, 0 to 1. */
    double busyShare() {
        return machineBusy / Math.max(1e-9, machineAll);
    }

    /** Microseconds of busy machine CPU per row (or transaction). */
    double busyMicrosPerUnit() {
        return units == 0 ? Double.NaN : machineBusy * 1e6 / units;
    }
}
