package dev.replog.bench;

/**
 * A metric's outcome for one kind of replication: a value, or a failure (the follower did not
 * match the leader, or never caught up) that is reported as FAIL instead of a number.
 */
record Figure(String workload, Metric metric, ReplicationKind kind, Double value, String failure) {

    static Figure of(String workload, Metric metric, ReplicationKind kind, double value) {
        return new Figure(workload, metric, kind, value, null);
    }

    static Figure failed(String workload, Metric metric, ReplicationKind kind, String why) {
        return new Figure(workload, metric, kind, null, why);
    }

    boolean ok() {
        return failure == null;
    }
}
