package dev.replog.bench.serve;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatenciesTest {

    @Test
    void mergedThreadsGiveNearestRankMillisecondsOverEverySample() {
        Latencies a = new Latencies();
        Latencies b = new Latencies();
        for (int i = 1; i <= 2000; i++) { // past the first buffer: it grows
            (i % 2 == 0 ? a : b).add(i * 1_000_000L);
        }
        Latencies.Summary s = Latencies.merge(List.of(a, b)).summary();

        assertEquals(2000, s.count());
        assertEquals(1000, s.p50Ms());
        assertEquals(1980, s.p99Ms());
        assertEquals(2000, s.maxMs());
    }

    @Test
    void nothingMeasuredIsNoFigureAndMeetsNoTarget() {
        Latencies.Summary none = Latencies.merge(List.of(new Latencies())).summary();

        assertEquals(0, none.count());
        assertTrue(Double.isNaN(none.p99Ms()));
        assertEquals("none", none.describe());
        assertEquals(Target.Verdict.NO_FIGURE, new Target("p99", false, 5, none.p99Ms(), "%.1f ms").verdict());
    }

    @Test
    void targetsAreMetAtTheirBoundAndMissedPastIt() {
        assertEquals(Target.Verdict.MET, new Target("lookups/s", true, 10_000, 10_000, "%,.0f").verdict());
        assertEquals(Target.Verdict.MISSED, new Target("lookups/s", true, 10_000, 9_999, "%,.0f").verdict());
        assertEquals(Target.Verdict.MET, new Target("p99", false, 200, 200, "%.0f ms").verdict());
        assertEquals(Target.Verdict.MISSED, new Target("p99", false, 200, 201, "%.0f ms").verdict());
    }
}
