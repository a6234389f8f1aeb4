package dev.replog.cli.progress;

import dev.replog.capture.CopyStates.CopyState;
import dev.replog.schemas.TableId;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CopyDisplayTest {

    private static final class Recorded implements Progress {
        final List<String> calls = new ArrayList<>();
        long done;

        @Override
        public void start(String task, long total, String unit) {
            done = 0;
            calls.add("start " + task + " " + total);
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

    private static CopyState copy(String table, String state, long rows, long estimate) {
        return new CopyState(new TableId("public", table), state, rows, estimate, Instant.now(), null);
    }

    @Test
    void eachCopyIsOneTaskAdvancedByItsRowsAndFinishedWithItsLastRowsOnceItEnds() {
        Recorded p = new Recorded();
        CopyDisplay d = CopyDisplay.start(null, "s", p);
        d.close(); // the display's own polling is not under test: show() is fed by hand
        p.calls.clear();
        d.show(List.of(copy("a", "copying", 100, 1000), copy("b", "requested", 0, 0)));
        d.show(List.of(copy("a", "copying", 600, 1000), copy("b", "requested", 0, 0)));
        d.show(List.of(copy("a", "done", 1000, 1000), copy("b", "copying", 10, 50)));
        d.show(List.of(copy("a", "done", 1000, 1000), copy("b", "done", 50, 50)));
        assertEquals(List.of("start copy public.a 1000", "finish 1000", "start copy public.b 50", "finish 50"), p.calls);
    }
}
