package dev.replog.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Everything one bench run measured, in the order it was measured. */
final class BenchResults {

    private final List<Figure> figures = new ArrayList<>();
    private final List<MemoryFigure> memory = new ArrayList<>();
    private final List<LagSeries> lag = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<CpuFigure> cpu = new ArrayList<>();

    synchronized void add(Figure figure) {
        figures.add(figure);
    }

    synchronized void add(MemoryFigure figure) {
        memory.add(figure);
    }

    synchronized void add(LagSeries series) {
        lag.add(series);
    }

    synchronized void add(CpuFigure figure) {
        cpu.add(figure);
    }

    synchronized List<CpuFigure> cpu() {
        return List.copyOf(cpu);
    }

    synchronized void note(String note) {
        notes.add(note);
    }

    synchronized List<Figure> figures() {
        return List.copyOf(figures);
    }

    synchronized List<MemoryFigure> memory() {
        return List.copyOf(memory);
    }

    synchronized List<LagSeries> lag() {
        return List.copyOf(lag);
    }

    synchronized List<String> notes() {
        return Collections.unmodifiableList(new ArrayList<>(notes));
    }

    /** The figure of one metric of one workload for one kind, if it was measured. */
    synchronized Optional<Figure> find(String workload, Metric metric, ReplicationKind kind) {
        return figures.stream()
                .filter(f -> f.workload().equals(workload) && f.metric().equals(metric) && f.kind() == kind)
                .findFirst();
    }

    /** Distinct (workload, metric) rows in measurement order. */
    synchronized List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Figure f : figures) {
            Row row = new Row(f.workload(), f.metric());
            if (!rows.contains(row)) {
                rows.add(row);
            }
        }
        return rows;
    }

    /** One line of the side-by-side table. */
    record Row(String workload, Metric metric) {
    }

    /** Replog's (row mode) value over native's, when both were measured. */
    Optional<Double> ratio(Row row) {
        return ratio(row, ReplicationKind.REPLOG, ReplicationKind.NATIVE);
    }

    /** {@code kind}'s value over {@code base}'s, when both were measured. */
    Optional<Double> ratio(Row row, ReplicationKind kind, ReplicationKind base) {
        Optional<Figure> b = find(row.workload(), row.metric(), base);
        Optional<Figure> k = find(row.workload(), row.metric(), kind);
        if (b.isEmpty() || k.isEmpty() || !b.get().ok() || !k.get().ok() || b.get().value() == 0) {
            return Optional.empty();
        }
        return Optional.of(k.get().value() / b.get().value());
    }

    /**
     * The transactional mode's throughput over row mode's, for the rows that are a throughput: rows/s,
     * and the snapshot's seconds inverted (its speed). The target is at least 0.8.
     */
    Optional<Double> transactionalToRowThroughput(Row row) {
        if (row.metric().unit().equals("rows/s")) {
            return ratio(row, ReplicationKind.TRANSACTIONAL, ReplicationKind.REPLOG);
        }
        if (row.metric().equals(SnapshotWorkload.SECONDS)) {
            return ratio(row, ReplicationKind.REPLOG, ReplicationKind.TRANSACTIONAL);
        }
        return Optional.empty();
    }

    /** The kinds of replication something was measured for, in the order of {@link ReplicationKind}. */
    synchronized List<ReplicationKind> kinds() {
        List<ReplicationKind> kinds = new ArrayList<>();
        for (ReplicationKind kind : ReplicationKind.values()) {
            if (figures.stream().anyMatch(f -> f.kind() == kind) || cpu.stream().anyMatch(f -> f.kind() == kind)) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    /** The CPU figure of one phase of one workload for one kind, if it was measured. */
    synchronized Optional<CpuFigure> cpu(String workload, String phase, ReplicationKind kind) {
        return cpu.stream().filter(f -> f.workload().equals(workload) && f.phase().equals(phase) && f.kind() == kind).findFirst();
    }

    /** Distinct phases of one workload that CPU was measured for, in measurement order. */
    synchronized List<String> cpuPhases(String workload) {
        return cpu.stream().filter(f -> f.workload().equals(workload)).map(CpuFigure::phase).distinct().toList();
    }

    /** The CPU figures grouped by workload and phase (every kind of a phase together), in measurement order. */
    synchronized List<CpuFigure> cpuByPhase() {
        List<String> order = cpu.stream().map(f -> f.workload() + "/" + f.phase()).distinct().toList();
        List<CpuFigure> sorted = new ArrayList<>(cpu);
        sorted.sort(Comparator.comparingInt(f -> order.indexOf(f.workload() + "/" + f.phase())));
        return sorted;
    }
}
