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

    private static final String ROW = "  %-46s %14s %14s %14s%n";

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
        out.println();
        out.println("Replog vs PostgreSQL native logical replication — " + startedAt);
        out.println("Machine: " + machine.summary());
        out.println("Kafka broker: " + Benchmark.BROKER + "; capture and applier: child JVMs, -Xmx" + options.childHeap()
                + (options.childJavaOptions().isEmpty() ? "" : " " + String.join(" ", options.childJavaOptions()))
                + ", topics.partitions=" + options.partitions());
        out.println("TPC-B driver: " + tpcb);
        out.println("Command: " + options.commandLine());
        out.printf(ROW, "", "native", "replog", "replog/native");
        for (Workload w : workloads) {
            out.println(w.title());
            for (Metric m : w.metrics()) {
                BenchResults.Row row = new BenchResults.Row(w.name(), m);
                out.printf(ROW, m.label() + " (" + m.unit() + ")", cell(row, ReplicationKind.NATIVE), cell(row, ReplicationKind.REPLOG),
                        results.ratio(row).map(r -> String.format("%.2f×", r)).orElse("—"));
            }
        }
        out.println("5. peak resident memory (VmHWM) of the Replog processes");
        for (MemoryFigure m : results.memory()) {
            out.printf(ROW, m.process() + " during " + m.workload() + " (MiB)", "—", String.format("%.0f", m.mebibytes()), "");
        }
        printCpu(out);
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

    /** Where the machine's CPU went in each measured phase: on saturated cores, CPU per row bounds throughput. */
    private void printCpu(PrintStream out) {
        List<CpuFigure> cpu = results.cpu();
        if (cpu.isEmpty()) {
            return;
        }
        List<String> processes = new ArrayList<>();
        cpu.forEach(f -> f.seconds().keySet().stream().filter(p -> !processes.contains(p)).forEach(processes::add));
        out.println("6. CPU seconds per process during each measured phase (from /proc; busy = all cores, whoever used them)");
        StringBuilder header = new StringBuilder(String.format("  %-24s %-7s %7s %6s %9s", "phase", "system", "wall s", "busy",
                "µs/unit"));
        processes.forEach(p -> header.append(String.format(" %10s", abbreviate(p))));
        out.println(header.append(String.format(" %10s", "other")));
        for (CpuFigure f : cpu) {
            StringBuilder line = new StringBuilder(String.format("  %-24s %-7s %7.1f %5.0f%% %9.0f", f.phase(), f.kind().label(),
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
            memory.add(Map.of("workload", m.workload(), "process", m.process(), "peakResidentBytes", m.bytes()));
        }
        root.put("peakResidentMemory", memory);
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
            out.add(m);
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
