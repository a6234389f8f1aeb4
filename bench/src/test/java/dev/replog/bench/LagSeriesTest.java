package dev.replog.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LagSeriesTest {

    @Test
    void percentilesAreNearestRankOverTheMarkersLags() {
        List<LagSeries.Sample> samples = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            samples.add(new LagSeries.Sample(i / 10.0, i));
        }
        LagSeries series = new LagSeries(ReplicationKind.REPLOG, "unthrottled", samples);

        assertEquals(50, series.percentile(50));
        assertEquals(99, series.percentile(99));
        assertEquals(100, series.max());
    }

    @Test
    void quarterMediansTellAGrowingLagFromASteadyOne() {
        List<LagSeries.Sample> growing = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            growing.add(new LagSeries.Sample(i, 10 * i));
        }
        LagSeries series = new LagSeries(ReplicationKind.REPLOG, "unthrottled", growing);

        assertEquals(40, series.quarterMedian(false));
        assertEquals(340, series.quarterMedian(true));
    }

    @Test
    void anEmptySeriesHasNoFigures() {
        LagSeries series = new LagSeries(ReplicationKind.NATIVE, "500 tps", List.of());

        assertTrue(Double.isNaN(series.percentile(99)));
        assertTrue(Double.isNaN(series.quarterMedian(true)));
    }
}
