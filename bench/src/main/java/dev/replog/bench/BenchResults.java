package dev.replog.bench;

import java.util.ArrayList;
import java.util.Collections;
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

    /** Replog's value over native's, when both were measured. */
    Optional<Double> ratio(Row row) {
        Optional<Figure> nat = find(row.workload(), row.metric(), ReplicationKind.NATIVE);
        Optional<Figure> rep = find(row.workload(), row.metric(), ReplicationKind.REPLOG);
        if (nat.isEmpty() || rep.isEmpty() || !nat.get().ok() || !rep.get().ok() || nat.get().value() == 0) {
            return Optional.empty();
        }
        return Optional.of(rep.get().value() / nat.get().value());
    }
}
