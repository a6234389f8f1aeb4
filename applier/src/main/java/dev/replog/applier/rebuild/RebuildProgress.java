package dev.replog.applier.rebuild;

/**
 * Where a rebuild is, per table, about once a second: log records replayed out of the log records
 * it had to read when the rebuild started (a live rebuild goes on past them, a point-in-time one may
 * stop before them). A progress display plugs in here.
 */
@FunctionalInterface
public interface RebuildProgress {

    RebuildProgress NONE = (table, done, total) -> { };

    void table(String table, long done, long total);
}
