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
        return Percentile.nearestRank(sorted, p);
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
        return Percentile.nearestRank(quarter.stream().mapToDouble(Sample::lagMillis).sorted().toArray(), 50);
    }

    @Override
    public String toString() {
        return kind.label() + " " + run + " " + Arrays.toString(new double[] {percentile(50), percentile(99), max()});
    }
}
