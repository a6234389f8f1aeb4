package dev.replog.bench.serve;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * What a serve bench run measured, and the targets it is held to. {@code problems} is empty when the
 * run itself went right (every service stayed up, the snapshot became servable, lookups were
 * answered, every sampled write became visible); a missed target is a figure, not a problem.
 *
 * @param lookupsOnA        lookups sent to the first instance only
 * @param lookupsRoundRobin lookups sent to every instance in turn: the figure across instances
 */
public record ServeBenchResult(ServeBenchOptions options, String machine, String instances, double servableSeconds,
                               String loadedLsn, List<String> assignment, LookupLoad.Outcome lookupsOnA,
                               LookupLoad.Outcome lookupsRoundRobin, CommitToServable.Outcome lag, List<PhaseCpu> cpu,
                               Map<String, Long> peakRssBytes, Map<String, Long> errorLines, List<String> notes,
                               List<String> problems) {

    static final double LOOKUPS_PER_SECOND = 10_000;
    static final double LOCAL_P99_MS = 5;
    static final double SERVABLE_P99_MS = 200;

    public boolean passed() {
        return problems.isEmpty();
    }

    List<Target> targets() {
        LookupLoad.Outcome across = lookupsRoundRobin != null ? lookupsRoundRobin : lookupsOnA;
        return List.of(
                new Target("lookups/s across instances", true, LOOKUPS_PER_SECOND, across == null ? Double.NaN : across.perSecond(), "%,.0f"),
                new Target("p99 of a local key", false, LOCAL_P99_MS, lookupsOnA == null ? Double.NaN : lookupsOnA.localLatency().p99Ms(), "%.1f ms"),
                new Target("commit-to-servable p99", false, SERVABLE_P99_MS, lag == null ? Double.NaN : lag.lag().p99Ms(), "%.0f ms"));
    }

    public void print(PrintStream out) {
        ServeBenchOptions o = options;
        out.printf("serve: %,d rows (bigint key) over %d partitions, %d serve instances with %d standby, services at -Xmx%s, "
                        + "RocksDB cache %d MiB per instance%n",
                o.rows(), o.partitions(), o.instances(), o.standbys(), o.heap(), o.cacheBytes() >> 20);
        out.println("  machine: " + machine + " (shared: leader, broker, capture, both serve instances and the clients on it)");
        out.println("  instances: " + instances);
        out.printf("  each phase %d s, after %d s of the same load unmeasured (the lookups' against every instance)%n",
                o.duration().toSeconds(), o.warmUp().toSeconds());
        out.printf("  snapshot servable %.1f s after capture started (group complete, applied LSN >= leader's %s after loading)%n",
                servableSeconds, loadedLsn);
        assignment.forEach(a -> out.println("  " + a));
        for (LookupLoad.Outcome l : new LookupLoad.Outcome[] {lookupsOnA, lookupsRoundRobin}) {
            if (l != null) {
                out.printf("  lookups, %s (%d clients, %.0f s): %,d answered, %,.0f/s; local %,d, forwarded %,d, errors %,d%s%n",
                        l.label(), l.clients(), l.seconds(), l.lookups(), l.perSecond(), l.local(), l.forwarded(),
                        l.errorCount(), l.errors().isEmpty() ? "" : " " + l.errors() + ", first: " + l.firstError());
                out.println("    local     " + l.localLatency().describe());
                out.println("    forwarded " + l.forwardedLatency().describe());
            }
        }
        if (lag != null) {
            out.printf("  commit-to-servable, writer at %d tps for %.0f s: %,d commits, %,.0f tps achieved; %,d sampled "
                            + "(one write in %d), %s; not visible within %d s (counted as that): %d; read errors %d%s%n",
                    lag.targetTps(), lag.seconds(), lag.commits(), lag.tps(), lag.lag().count(), lag.sampleEvery(),
                    lag.lag().describe(), lag.visibleTimeoutSeconds(), lag.notVisible(), lag.readErrors(),
                    lag.firstReadError() == null ? "" : " (first: " + lag.firstReadError() + ")");
            CommitToServable.Slow slow = lag.slow();
            out.printf("    over %d ms: %d samples%s; answered by %s%n", slow.bound().toMillis(), slow.count(),
                    slow.count() == 0 ? "" : ", their writes committed in seconds " + slow.seconds() + " of the phase",
                    lag.answeredBy());
        }
        out.println("  CPU (cores used per process; the bench driver is the lookup clients and the leader writer):");
        cpu.forEach(c -> out.println("    " + c.line()));
        peakRssBytes.forEach((p, b) -> out.printf("  peak RSS %-10s %,d MiB%n", p, b >> 20));
        errorLines.forEach((p, n) -> out.printf("  ERROR lines in %-14s %d%n", p + ".log", n));
        notes.forEach(n -> out.println("  note: " + n));
        out.println("  targets (the issue's):");
        targets().forEach(t -> out.println("    " + t.line()));
        out.println(passed() ? "  PASSED (the run itself; targets above)" : "  FAILED: " + String.join("; ", problems));
    }

}
