package dev.replog.schemas;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceOrderTest {

    @Test
    void laterTransactionIsAfterEvenWhenItsChangeHasALowerLsn() {
        // Transactions interleave in the WAL: the later commit can hold the earlier change position.
        SourceOrder first = SourceOrder.fromHeaders("0/100", "0/180", "1");
        SourceOrder second = SourceOrder.fromHeaders("0/200", "0/150", "1");
        assertTrue(second.compareTo(first) > 0);
    }

    @Test
    void halvesOfAPrimaryKeyUpdateAreOrderedByTheirPlaceInTheTransaction() {
        SourceOrder delete = SourceOrder.fromHeaders("0/100", "0/180", "3");
        SourceOrder create = SourceOrder.fromHeaders("0/100", "0/180", "4");
        assertTrue(create.compareTo(delete) > 0);
    }

    @Test
    void replayedEventHasTheSameOrder() {
        assertEquals(0, SourceOrder.fromHeaders("0/100", "0/180", "3").compareTo(SourceOrder.fromHeaders("0/100", "0/180", "3")));
    }

    @Test
    void unknownPreviousCommitCountsAsTheStart() {
        SourceOrder firstAfterStart = SourceOrder.fromHeaders(null, "0/180", "1");
        assertEquals(Lsn.ZERO, firstAfterStart.previousCommit());
        assertTrue(SourceOrder.fromHeaders("0/190", "0/1A0", "1").compareTo(firstAfterStart) > 0);
    }

    @Test
    void roundTripsThroughItsTextForm() {
        SourceOrder o = SourceOrder.fromHeaders("16/B374D848", "16/B374D900", "12");
        assertEquals(o, SourceOrder.decode(o.encode()));
        assertNull(SourceOrder.fromHeaders(null, null, null));
    }
}
