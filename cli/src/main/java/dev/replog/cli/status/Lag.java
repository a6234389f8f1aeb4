package dev.replog.cli.status;

import dev.replog.applier.ApplyLag;

import java.util.List;

/**
 * How far behind a follower, a table or a partition is.
 *
 * @param records  committed data records in the log not yet applied
 * @param exact    false if a partition was too far behind to read and its offsets were counted
 * @param walBytes WAL bytes from the applied LSN to capture's last published LSN (or the leader's
 *                 current LSN); zero when nothing is pending; null if unknown
 * @param seconds  how long ago the leader committed the oldest change not yet applied; zero when
 *                 nothing is pending; null if unknown
 */
public record Lag(long records, boolean exact, Long walBytes, Double seconds) {

    static final Lag NONE = new Lag(0, true, 0L, 0.0);

    static Lag of(ApplyLag.PartitionLag p) {
        return new Lag(p.records(), p.exact(), p.walBytes(), p.behindCommit() == null ? null : p.behindCommit().toMillis() / 1000.0);
    }

    /** Records summed; the largest WAL and time figures (the parts are applied side by side). */
    static Lag combine(List<Lag> parts) {
        long records = 0;
        boolean exact = true;
        Long wal = 0L;
        Double seconds = 0.0;
        for (Lag p : parts) {
            records += p.records;
            exact &= p.exact;
            wal = wal == null || p.walBytes == null ? null : Math.max(wal, p.walBytes);
            seconds = seconds == null || p.seconds == null ? null : Math.max(seconds, p.seconds);
        }
        return new Lag(records, exact, wal, seconds);
    }

    public boolean caughtUp() {
        return records == 0;
    }
}
