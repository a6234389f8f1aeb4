package dev.replog.bench;

/** The percentiles every bench reports: nearest rank, so each figure is a value that was measured. */
public final class Percentile {

    private Percentile() {
    }

    /** The nearest-rank {@code p}-th percentile (0 to 100) of ascending values; NaN if there are none. */
    public static double nearestRank(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
