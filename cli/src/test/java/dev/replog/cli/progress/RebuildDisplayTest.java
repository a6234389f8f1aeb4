package dev.replog.cli.progress;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RebuildDisplayTest {

    /** A progress that writes down what it was told. */
    private static final class Recorded implements Progress {
        final List<String> calls = new ArrayList<>();
        long done;

        @Override
        public void start(String task, long total, String unit) {
            calls.add("start " + task + " " + total + " " + unit);
        }

        @Override
        public void advance(long n) {
            done += n;
        }

        @Override
        public void finish() {
            calls.add("finish " + done);
        }
    }

    @Test
    void theTaskCountsEveryTableOnceEachHasBeenReportedAndAdvancesByWhatWasReplayedSince() {
        Recorded p = new Recorded();
        RebuildDisplay d = new RebuildDisplay(p);
        d.table("public.a", 10, 100);
        d.table("public.b", 5, 50);
        assertEquals(List.of(), p.calls, "nothing shown before every table's total is known");
        d.table("public.a", 40, 100);
        d.table("public.b", 50, 50);
        d.table("public.a", 100, 100);
        d.finish();
        assertEquals(List.of("start rebuild 150 log records", "finish 150"), p.calls);
    }

    @Test
    void aRebuildThatEndsBeforeTheSecondReportShowsNothing() {
        Recorded p = new Recorded();
        RebuildDisplay d = new RebuildDisplay(p);
        d.table("public.a", 3, 3);
        d.finish();
        assertEquals(List.of(), p.calls);
    }
}
