package dev.replog.cli.progress;

import dev.replog.applier.rebuild.RebuildProgress;

import java.util.HashMap;
import java.util.Map;

/**
 * A rebuild's per-table reports as one task: log records replayed over the records to read, all
 * tables together (they replay at once). The rebuild reports every table once a second; the task
 * starts when a table is reported the second time, so that its total counts every table.
 */
public final class RebuildDisplay implements RebuildProgress {

    private final Progress progress;
    private final Map<String, long[]> tables = new HashMap<>();
    private long shown;
    private boolean started;

    public RebuildDisplay(Progress progress) {
        this.progress = progress;
    }

    @Override
    public synchronized void table(String table, long done, long total) {
        boolean again = tables.put(table, new long[] {done, total}) != null;
        if (!started && again) {
            started = true;
            progress.start("rebuild", tables.values().stream().mapToLong(t -> t[1]).sum(), "log records");
        }
        if (started) {
            long all = tables.values().stream().mapToLong(t -> t[0]).sum();
            progress.advance(all - shown);
            shown = all;
        }
    }

    /** Ends the task, if it started. */
    public synchronized void finish() {
        if (started) {
            progress.finish();
        }
    }
}
