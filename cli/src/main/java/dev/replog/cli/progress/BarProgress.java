package dev.replog.cli.progress;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** {@link Progress} as a terminal progress bar (me.tongfei:progressbar, on stderr) with rate and ETA. */
final class BarProgress implements Progress {

    private ProgressBar bar;
    private long total;
    private long done;

    @Override
    public synchronized void start(String task, long total, String unit) {
        finish();
        this.total = Math.max(total, 0);
        this.done = 0;
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total > 0 ? total : -1)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" " + unit, 1).showSpeed()
                .setUpdateIntervalMillis(500).build();
    }

    @Override
    public synchronized void advance(long n) {
        if (bar == null) {
            return;
        }
        done += n;
        if (total > 0 && done > total) {
            // The estimate was low: the bar grows rather than passing 100%.
            total = done;
            bar.maxHint(total);
        }
        bar.stepBy(n);
    }

    @Override
    public synchronized void finish() {
        if (bar != null) {
            bar.maxHint(done);
            bar.close();
            bar = null;
        }
    }
}
