package dev.replog.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The results as a person reads them (a side-by-side table) and as a program reads them (JSON). */
final class BenchReport {

    /** The target: the transactional mode's throughput at least this share of row mode's. */
    static final double TRANSACTIONAL_TARGET = 0.8;

    private final BenchOptions options;
    private final MachineInfo machine;
    private final String tpcb;
    private final List<Workload> workloads;
    private final BenchResults results;
    private final Instant startedAt;
    private final Instant finishedAt;

    BenchReport(BenchOptions options, MachineInfo machine, String tpcb, List<Workload> workloads, BenchResults results,
                Instant startedAt, Instant finishedAt) {
        this.options = options;
        this.machine = machine;
        this.tpcb = tpcb;
        this.workloads = workloads;
        this.results = results;
        this.startedAt = startedAt;
        this.finishedAt = finishedAt;
    }

    void print(PrintStream out) {
        List<ReplicationKind> kinds = results.kinds();
        List<ReplicationKind> replog = kinds.stream().filter(k -> k != ReplicationKind.NATIVE).toList();
        out.println();
        out.println("Replog vs PostgreSQL native logical replication — " + startedAt);
        out.println("Machine: " + machine.summary());
        out.println("Kafka broker: " + Benchmark.BROKER + "; capture and applier: child JVMs, -Xmx" + options.childHeap()
                + (options.childJavaOptions().isEmpty() ? "" : " " + String.join(" ", options.childJavaOptions()))
                + ", topics.partitions=" + options.partitions() + ", log.format=" + options.logFormat());
        out.println("Replog apply modes: " + String.join(", ", options.replogModes().stream().map(ReplicationKind::applyMode).toList())
                + " (each on a fresh follower database, the same workload on a fresh leader database)");
        out.println("TPC-B driver: " + tpcb);
        out.println("Command: " + options.commandLine());
        List<String> header = new ArrayList<>();
        kinds.forEach(k -> header.add(k.column()));
        replog.forEach(k -> header.add(shortName(k) + "/native"));
        boolean both = replog.size() == 2;
        if (both) {
            header.add("tx/row");
        }
        out.println(line("", header));
        for (Workload w : workloads) {
            out.println(w.title());
            for (Metric m : w.metrics()) {
                BenchResults.Row row = new BenchResults.Row(w.name(), m);
                List<String> cells = new ArrayList<>();
                kinds.forEach(k -> cells.add(cell(row, k)));
                replog.forEach(k -> cells.add(ratioCell(results.ratio(row, k, ReplicationKind.NATIVE))));
                if (both) {
                    cells.add(ratioCell(results.ratio(row, ReplicationKind.TRANSACTIONAL, ReplicationKind.REPLOG)));
                }
                out.println(line(m.label() + " (" + m.unit() + ")", cells));
            }
            for (String phase : results.cpuPhases(w.name())) {
                out.println(cpuLine(w.name(), phase, kinds, replog, both));
            }
        }
        printMemory(out, replog);
        printCpu(out);
        if (both) {
            printTransactionalToRow(out);
        }
        List<Figure> failed = results.figures().stream().filter(f -> !f.ok()).toList();
        for (Figure f : failed) {
            out.println("FAIL " + f.workload() + "/" + f.kind().label() + " " + f.metric().label() + ": " + f.failure());
        }
        for (String note : results.notes()) {
            out.println("note: " + note);
        }
        out.println("Lag: a marker row committed on the leader every 100 ms, the follower polled every 2 ms; "
                + "lag = first seen on the follower − leader commit returned.");
    }

    /** A line of the side-by-side table: a label, then one right-aligned cell per column. */
    private static String line(String label, List<String> cells) {
        StringBuilder sb = new StringBuilder(String.format("  %-60s", label));
        cells.forEach(c -> sb.append(String.format(" %13s", c)));
        return sb.toString();
    }

    /** "row" or "tx": a replog kind in a ratio's heading. */
    private static String shortName(ReplicationKind kind) {
        return kind.column().substring(kind.column().indexOf(' ') + 1);
    }

    private static String ratioCell(Optional<Double> ratio) {
        return ratio.map(r -> String.format("%.2f×", r)).orElse("—");
    }

    /** The machine's busy CPU per row (or transaction) of one phase, each kind side by side, with the same ratios. */
    private String cpuLine(String workload, String phase, List<ReplicationKind> kinds, List<ReplicationKind> replog, boolean both) {
        List<String> cells = new ArrayList<>();
        String unit = "row";
        for (ReplicationKind k : kinds) {
            Optional<CpuFigure> f = results.cpu(workload, phase, k);
            cells.add(f.map(c -> String.format("%,.0f", c.busyMicrosPerUnit())).orElse("—"));
            unit = f.map(CpuFigure::unit).orElse(unit);
        }
        replog.forEach(k -> cells.add(ratioCell(cpuRatio(workload, phase, k, ReplicationKind.NATIVE))));
        if (both) {
            cells.add(ratioCell(cpuRatio(workload, phase, ReplicationKind.TRANSACTIONAL, ReplicationKind.REPLOG)));
        }
        return line(phase + ": machine CPU (µs/" + unit + ")", cells);
    }

    private Optional<Double> cpuRatio(String workload, String phase, ReplicationKind kind, ReplicationKind base) {
        Optional<CpuFigure> k = results.cpu(workload, phase, kind);
        Optional<CpuFigure> b = results.cpu(workload, phase, base);
        if (k.isEmpty() || b.isEmpty() || !(b.get().busyMicrosPerUnit() > 0)) {
            return Optional.empty();
        }
        return Optional.of(k.get().busyMicrosPerUnit() / b.get().busyMicrosPerUnit());
    }

    /** Peak RSS of each Replog process in each workload, one column per apply mode. */
    private void printMemory(PrintStream out, List<ReplicationKind> replog) {
        out.println("5. peak resident memory (VmHWM) of the Replog processes (MiB)");
        List<String> seen = new ArrayList<>();
        for (MemoryFigure m : results.memory()) {
            if (m.kind() == null) {
                out.println(line(m.process() + " during " + m.workload(), List.of(String.format("%.0f", m.mebibytes()))));
                continue;
            }
            String key = m.workload() + "/" + m.process();
            if (seen.contains(key)) {
                continue;
            }
            seen.add(key);
            List<String> cells = new ArrayList<>(List.of("—"));
            for (ReplicationKind k : replog) {
                cells.add(results.memory().stream().filter(x -> x.kind() == k && (x.workload() + "/" + x.process()).equals(key))
                        .findFirst().map(x -> String.format("%.0f", x.mebibytes())).orElse("—"));
            }
            out.println(line(m.process() + " during " + m.workload(), cells));
        }
    }

    /** The target for the transactional mode: at least 0.8× row mode's throughput, workload by workload. */
    private void printTransactionalToRow(PrintStream out) {
        List<String> parts = new ArrayList<>();
        for (BenchResults.Row row : results.rows()) {
            results.transactionalToRowThroughput(row).ifPresent(r -> parts.add(String.format("%s %.2f× (%s)", row.metric().label(), r,
                    r >= TRANSACTIONAL_TARGET ? "met" : "MISSED")));
        }
        out.println("Transactional/row throughput (target ≥ " + TRANSACTIONAL_TARGET + "×): "
                + (parts.isEmpty() ? "not measured" : String.join("; ", parts)));
    }

    /** Where the machine's CPU went in each measured phase: on saturated cores, CPU per row bounds throughput. */
    private void printCpu(PrintStream out) {
        List<CpuFigure> cpu = results.cpu();
        if (cpu.isEmpty()) {
            return;
        }
        List<String> processes = new ArrayList<>();
        cpu.forEach(f -> f.seconds().keySet().stream().filter(p -> !processes.contains(p)).forEach(processes::add));
        out.println("6. CPU seconds per process during each measured phase (from /proc; busy = all cores, whoever used them)");
        StringBuilder header = new StringBuilder(String.format("  %-24s %-13s %7s %6s %9s", "phase", "system", "wall s", "busy",
                "µs/unit"));
        processes.forEach(p -> header.append(String.format(" %10s", abbreviate(p))));
        out.println(header.append(String.format(" %10s", "other")));
        for (CpuFigure f : results.cpuByPhase()) {
            StringBuilder line = new StringBuilder(String.format("  %-24s %-13s %7.1f %5.0f%% %9.0f", f.phase(), f.kind().label(),
                    f.wallSeconds(), 100 * f.busyShare(), f.busyMicrosPerUnit()));
            processes.forEach(p -> line.append(f.seconds().containsKey(p)
                    ? String.format(" %10.1f", f.seconds().get(p)) : String.format(" %10s", "—")));
            out.println(line.append(String.format(" %10.1f", f.otherSeconds())));
        }
    }

    /** "follower PostgreSQL" → "follower PG": the column must stay narrow. */
    private static String abbreviate(String process) {
        return process.replace("PostgreSQL", "PG");
    }

    private String cell(BenchResults.Row row, ReplicationKind kind) {
        Optional<Figure> f = results.find(row.workload(), row.metric(), kind);
        if (f.isEmpty()) {
            return "—";
        }
        if (!f.get().ok()) {
            return "FAIL";
        }
        double v = f.get().value();
        return row.metric().unit().equals("s") || (row.metric().unit().equals("ms") && v < 100)
                ? String.format("%.2f", v) : String.format("%,.0f", v);
    }

    void writeJson(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("startedAt", startedAt.toString());
        root.put("finishedAt", finishedAt.toString());
        root.put("command", options.commandLine());
        root.put("machine", machine.toMap());
        root.put("kafkaBroker", Benchmark.BROKER);
        root.put("replogProcesses", "capture and applier as separate child JVMs, -Xmx" + options.childHeap());
        root.put("tpcbDriver", tpcb);
        root.put("options", optionsMap());
        root.put("lagMethod", "marker row committed on the leader every 100 ms; follower polled every 2 ms; "
                + "lag = first seen on follower minus leader commit returned");
        root.put("figures", figures());
        List<Map<String, Object>> memory = new ArrayList<>();
        for (MemoryFigure m : results.memory()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("workload", m.workload());
            entry.put("process", m.process());
            entry.put("peakResidentBytes", m.bytes());
            if (m.kind() != null) {
                entry.put("system", m.kind().label());
            }
            memory.add(entry);
        }
        root.put("peakResidentMemory", memory);
        root.put("transactionalToRowThroughput", transactionalToRow());
        root.put("lag", lag());
        root.put("cpu", cpu());
        root.put("notes", results.notes());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }

    private Map<String, Object> optionsMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", options.rows());
        m.put("updates", options.updates());
        m.put("pgbenchSeconds", options.pgbenchDuration().toSeconds());
        m.put("pgbenchRate", options.pgbenchRate());
        m.put("pgbenchScale", options.pgbenchScale());
        m.put("pgbenchClients", options.pgbenchClients());
        m.put("only", options.only());
        m.put("partitions", options.partitions());
        m.put("childHeap", options.childHeap());
        m.put("childJavaOptions", options.childJavaOptions());
        m.put("profile", options.profile());
        m.put("applyModes", options.replogModes().stream().map(ReplicationKind::applyMode).toList());
        m.put("logFormat", options.logFormat().toString());
        return m;
    }

    private List<Map<String, Object>> figures() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BenchResults.Row row : results.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workload", row.workload());
            m.put("metric", row.metric().key());
            m.put("label", row.metric().label());
            m.put("unit", row.metric().unit());
            m.put("higherIsBetter", row.metric().higherIsBetter());
            for (ReplicationKind kind : ReplicationKind.values()) {
                results.find(row.workload(), row.metric(), kind).ifPresent(f -> m.put(kind.label(),
                        f.ok() ? Map.of("value", f.value()) : Map.of("fail", f.failure())));
            }
            m.put("ratio", results.ratio(row).orElse(null));
            if (options.replogModes().contains(ReplicationKind.TRANSACTIONAL)) {
                m.put("transactionalRatio", results.ratio(row, ReplicationKind.TRANSACTIONAL, ReplicationKind.NATIVE).orElse(null));
                m.put("transactionalToRow", results.ratio(row, ReplicationKind.TRANSACTIONAL, ReplicationKind.REPLOG).orElse(null));
            }
            out.add(m);
        }
        return out;
    }

    private List<Map<String, Object>> lag() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LagSeries s : results.lag()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("system", s.kind().label());
            m.put("run", s.run());
            m.put("markers", s.samples().size());
            m.put("p50Ms", nanToNull(s.percentile(50)));
            m.put("p99Ms", nanToNull(s.percentile(99)));
            m.put("maxMs", nanToNull(s.max()));
            m.put("firstQuarterP50Ms", nanToNull(s.quarterMedian(false)));
            m.put("lastQuarterP50Ms", nanToNull(s.quarterMedian(true)));
            m.put("samples", s.samples().stream().map(x -> List.of(round(x.atSeconds()), round(x.lagMillis()))).toList());
            out.add(m);
        }
        return out;
    }

    private List<Map<String, Object>> cpu() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CpuFigure f : results.cpu()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workload", f.workload());
            m.put("phase", f.phase());
            m.put("system", f.kind().label());
            m.put("wallSeconds", round(f.wallSeconds()));
            m.put("machineBusySeconds", round(f.machineBusy()));
            m.put("machineAvailableSeconds", round(f.machineAll()));
            m.put("units", f.units());
            m.put("unit", f.unit());
            m.put("busyMicrosPerUnit", Double.isNaN(f.busyMicrosPerUnit()) ? null : round(f.busyMicrosPerUnit()));
            Map<String, Object> perProcess = new LinkedHashMap<>();
            f.seconds().forEach((p, s) -> perProcess.put(p, round(s)));
            perProcess.put("other", round(f.otherSeconds()));
            m.put("cpuSecondsByProcess", perProcess);
            if (f.units() > 0) {
                Map<String, Object> perUnit = new LinkedHashMap<>();
                f.seconds().forEach((p, s) -> perUnit.put(p, round(s * 1e6 / f.units())));
                perUnit.put("other", round(f.otherSeconds() * 1e6 / f.units()));
                m.put("microsPerUnitByProcess", perUnit);
            }
            out.add(m);
        }
        return out;
    }

    /** The transactional/row throughput of each throughput row, against the target. */
    private List<Map<String, Object>> transactionalToRow() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BenchResults.Row row : results.rows()) {
            results.transactionalToRowThroughput(row).ifPresent(r -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("workload", row.workload());
                m.put("metric", row.metric().key());
                m.put("ratio", round(r));
                m.put("target", TRANSACTIONAL_TARGET);
                m.put("met", r >= TRANSACTIONAL_TARGET);
                out.add(m);
            });
        }
        return out;
    }

    private static Double nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
