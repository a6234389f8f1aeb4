package dev.replog.bench;

/** One measured quantity of a workload, e.g. the bulk insert's end-to-end rows per second. */
record Metric(String key, String label, String unit, boolean higherIsBetter) {

    static Metric rate(String key, String label) {
        return new Metric(key, label, "rows/s", true);
    }

    static Metric seconds(String key, String label) {
        return new Metric(key, label, "s", false);
    }

    static Metric millis(String key, String label) {
        return new Metric(key, label, "ms", false);
    }

    static Metric tps(String key, String label) {
        return new Metric(key, label, "tps", true);
    }
}
