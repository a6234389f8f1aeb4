package dev.replog.bench.serve;

/**
 * One of the targets the serve bench is held to (the issue's): a figure that must be at least, or at
 * most, a bound. A figure that could not be measured (NaN) is neither met nor missed.
 *
 * @param format how the bound and the figure are printed, e.g. {@code "%,.0f/s"} or {@code "%.1f ms"}
 */
record Target(String name, boolean atLeast, double bound, double value, String format) {

    enum Verdict { MET, MISSED, NO_FIGURE }

    Verdict verdict() {
        if (Double.isNaN(value)) {
            return Verdict.NO_FIGURE;
        }
        return (atLeast ? value >= bound : value <= bound) ? Verdict.MET : Verdict.MISSED;
    }

    String line() {
        String figure = Double.isNaN(value) ? "no figure" : String.format(format, value);
        return String.format("%-42s %12s   %s", name + (atLeast ? " >= " : " <= ") + String.format(format, bound),
                figure, verdict().name().replace('_', ' '));
    }
}
