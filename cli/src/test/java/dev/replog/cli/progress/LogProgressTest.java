package dev.replog.cli.progress;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The log form of progress: done over total, percentage, rate and ETA, as an operator reads them. */
class LogProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aLineSaysDoneOverTotalWithRateAndTimeLeft() {
        assertEquals("1200/5000 rows (24%), 400 rows/s, ETA 0:09", LogProgress.line(1200, 3 * SECOND, 5000, "rows"));
        assertEquals("1200/500000 rows (0%), 400 rows/s, ETA 20:47", LogProgress.line(1200, 3 * SECOND, 500_000, "rows"));
    }

    @Test
    void anUnknownOrExceededTotalShowsNoEta() {
        assertEquals("1200 rows, 400 rows/s", LogProgress.line(1200, 3 * SECOND, 0, "rows"));
        assertEquals("6000/6000 rows (100%), 2000 rows/s", LogProgress.line(6000, 3 * SECOND, 5000, "rows"));
    }
}
