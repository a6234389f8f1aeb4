package dev.replog.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CPU time the kernel has charged to named processes and their descendants, and to the whole
 * machine, read from /proc. A PostgreSQL server is many processes (postmaster, one backend per
 * connection, the walsender, logical replication workers): its figure is the postmaster's tree, with
 * backends that already exited counted through the postmaster's reaped-children times. A named
 * process that is a descendant of another (the bench's child JVMs under the bench) is counted for
 * itself only, not again in its ancestor.
 *
 * <p>Figures are in clock ticks of USER_HZ, which Linux fixes at 100 per second for /proc.
 */
public final class ProcessCpu {

    public static final double TICKS_PER_SECOND = 100.0;

    /** CPU ticks per named process tree, and the machine's busy and total ticks, at one moment. */
    public record Snapshot(Map<String, Long> ticks, long machineBusy, long machineTotal) {

        /**
         * This snapshot minus an earlier one. A process not named in the earlier one started in
         * between (capture and applier of a snapshot phase, which counts from before their launch):
         * all its time is in the phase.
         */
        public Snapshot minus(Snapshot earlier) {
            Map<String, Long> delta = new LinkedHashMap<>();
            ticks.forEach((name, t) -> delta.put(name, t - earlier.ticks.getOrDefault(name, 0L)));
            return new Snapshot(delta, machineBusy - earlier.machineBusy, machineTotal - earlier.machineTotal);
        }
    }

    /** What /proc/PID/stat says of one process. */
    record Stat(long pid, long parent, long ownTicks, long reapedChildrenTicks) {
    }

    private final Path proc;
    private final Map<String, Long> roots;

    /** @param roots process name (e.g. "leader PostgreSQL") → pid of the root of its tree, in report order */
    ProcessCpu(Path proc, Map<String, Long> roots) {
        this.proc = proc;
        this.roots = new LinkedHashMap<>(roots);
    }

    public static ProcessCpu of(Map<String, Long> roots) {
        return new ProcessCpu(Path.of("/proc"), roots);
    }

    /** The same accounting with more named processes (e.g. a run's capture and applier). */
    ProcessCpu with(Map<String, Long> more) {
        Map<String, Long> all = new LinkedHashMap<>(roots);
        all.putAll(more);
        return new ProcessCpu(proc, all);
    }

    /** Reads every process once; a process that is gone (or a machine without /proc) reads as 0. */
    public Snapshot snapshot() {
        Map<Long, Stat> stats = readAll();
        Map<Long, List<Long>> children = new HashMap<>();
        for (Stat s : stats.values()) {
            children.computeIfAbsent(s.parent(), p -> new ArrayList<>()).add(s.pid());
        }
        Set<Long> rootPids = new HashSet<>(roots.values());
        Map<String, Long> ticks = new LinkedHashMap<>();
        roots.forEach((name, pid) -> ticks.put(name, treeTicks(pid, stats, children, rootPids)));
        long[] machine = machineTicks();
        return new Snapshot(ticks, machine[0], machine[1]);
    }

    private static long treeTicks(long root, Map<Long, Stat> stats, Map<Long, List<Long>> children, Set<Long> otherRoots) {
        long sum = 0;
        Deque<Long> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            long pid = todo.pop();
            Stat s = stats.get(pid);
            if (s != null) {
                sum += s.ownTicks() + s.reapedChildrenTicks();
            }
            for (long child : children.getOrDefault(pid, List.of())) {
                if (!otherRoots.contains(child)) {
                    todo.push(child);
                }
            }
        }
        return sum;
    }

    private Map<Long, Stat> readAll() {
        Map<Long, Stat> stats = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path dir : dirs) {
                try {
                    Stat s = parseStat(Files.readString(dir.resolve("stat")));
                    stats.put(s.pid(), s);
                } catch (IOException | RuntimeException exited) {
                    // The process ended between listing and reading: its time is now its parent's.
                }
            }
        } catch (IOException noProc) {
            // Not Linux: every figure reads 0 and the report says so by showing none.
        }
        return stats;
    }

    /**
     * Parses {@code pid (comm) state ppid ... utime stime cutime cstime ...}. The command name may
     * contain spaces and parentheses ("postgres: walsender ..."), so fields are counted from the
     * last ')'.
     */
    static Stat parseStat(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        long pid = Long.parseLong(line.substring(0, open).trim());
        String[] f = line.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state): field n of proc(5) is f[n - 3].
        long parent = Long.parseLong(f[1]);
        long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        long reaped = Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return new Stat(pid, parent, own, reaped);
    }

    /** {busy, total} ticks of all CPUs from the first line of /proc/stat; idle and iowait are not busy. */
    private long[] machineTicks() {
        try {
            return parseMachine(Files.readAllLines(proc.resolve("stat")).get(0));
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    static long[] parseMachine(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        long total = 0;
        // cpu user nice system idle iowait irq softirq steal (guest time is already in user)
        for (int i = 1; i <= Math.min(8, f.length - 1); i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total};
    }
}
