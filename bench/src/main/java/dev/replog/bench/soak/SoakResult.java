package dev.replog.bench.soak;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * What a soak run measured. {@code problems} is empty when the run passed: followers equal to the
 * leader, no invariant violation on the transactional follower, no service that died by itself.
 */
public record SoakResult(SoakOptions options, long transactions, double loadSeconds, double catchUpSeconds,
                         String rowInvariant, String transactionalInvariant, long transactionalViolations,
                         long transactionalSamples, Map<String, Long> peakRssBytes, Map<String, Long> errorLines,
                         List<String> faults, List<String> problems) {

    public boolean passed() {
        return problems.isEmpty();
    }

    public void print(PrintStream out) {
        SoakOptions o = options;
        out.printf("soak: %,d snapshot rows, %d clients x <= %d tps for %.0f s over %d tables x %d partitions, services at -Xmx%s%n",
                o.snapshotRows(), o.clients(), o.perClientTps(), loadSeconds, SoakWorkload.TABLES.size(), o.partitions(), o.heap());
        out.printf("  leader transactions: %,d (%.0f/s)%n", transactions, transactions / Math.max(loadSeconds, 1e-9));
        out.printf("  faults: %s%n", String.join(", ", faults));
        out.printf("  followers equal to the leader %.1f s after the load stopped%n", catchUpSeconds);
        out.printf("  invariant, transactional follower: %s%n", transactionalInvariant);
        out.printf("  invariant, row-mode follower: %s%n", rowInvariant);
        peakRssBytes.forEach((p, b) -> out.printf("  peak RSS %-20s %,d MiB%n", p, b / (1024 * 1024)));
        errorLines.forEach((p, n) -> out.printf("  ERROR lines in %-14s %d%n", p + ".log", n));
        out.println(passed() ? "  PASSED" : "  FAILED: " + String.join("; ", problems));
    }
}
