package dev.replog.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Commit-to-visible lag of the probe's markers during one pgbench run: for each marker, when it
 * was committed on the leader (seconds since the run started) and how long until the follower
 * showed it (milliseconds).
 */
record LagSeries(ReplicationKind kind, String run, List<Sample> samples) {

    record Sample(double atSeconds, double lagMillis) {
    }

    double percentile(double p) {
        double[] sorted = samples.stream().mapToDouble(Sample::lagMillis).sorted().toArray();
        return percentile(sorted, p);
    }

    double max() {
        return samples.stream().mapToDouble(Sample::lagMillis).max().orElse(Double.NaN);
    }

    /** Median lag of the first or last quarter of the run: whether the follower keeps up or falls behind. */
    double quarterMedian(boolean last) {
        int n = samples.size();
        if (n < 4) {
            return Double.NaN;
        }
        List<Sample> quarter = last ? samples.subList(n - n / 4, n) : samples.subList(0, n / 4);
        return percentile(quarter.stream().mapToDouble(Sample::lagMillis).sorted().toArray(), 50);
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    @Override
    public String toString() {
        return kind.label() + " " + run + " " + Arrays.toString(new double[] {percentile(50), percentile(99), max()});
    }
}
