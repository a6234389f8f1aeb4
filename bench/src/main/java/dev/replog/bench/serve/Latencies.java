package dev.replog.bench.serve;

import dev.replog.bench.Percentile;

import java.util.Arrays;
import java.util.Collection;

/**
 * Latencies of one kind of request as they were measured, in nanoseconds: one collector per thread
 * (not thread-safe), merged when the threads are done, then summed up as nearest-rank percentiles.
 */
final class Latencies {

    /** Count and p50/p99/max in milliseconds; NaN figures when nothing was measured. */
    record Summary(long count, double p50Ms, double p99Ms, double maxMs) {

        String describe() {
            return count == 0 ? "none" : String.format("p50 %.2f ms, p99 %.2f ms, max %.1f ms", p50Ms, p99Ms, maxMs);
        }
    }

    private long[] nanos = new long[1024];
    private int size;

    void add(long latencyNanos) {
        if (size == nanos.length) {
            nanos = Arrays.copyOf(nanos, size * 2);
        }
        nanos[size++] = latencyNanos;
    }

    int size() {
        return size;
    }

    static Latencies merge(Collection<Latencies> parts) {
        Latencies all = new Latencies();
        all.nanos = new long[Math.max(1, parts.stream().mapToInt(Latencies::size).sum())];
        for (Latencies p : parts) {
            System.arraycopy(p.nanos, 0, all.nanos, all.size, p.size);
            all.size += p.size;
        }
        return all;
    }

    Summary summary() {
        double[] ms = new double[size];
        for (int i = 0; i < size; i++) {
            ms[i] = nanos[i] / 1e6;
        }
        Arrays.sort(ms);
        return new Summary(size, Percentile.nearestRank(ms, 50), Percentile.nearestRank(ms, 99),
                size == 0 ? Double.NaN : ms[size - 1]);
    }
}
