package dev.replog.capture;

import dev.replog.schemas.CompleteCopy;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CopyLogTest {

    private static final TableId ORDERS = new TableId("public", "orders");

    private final List<TableId> copiedAgain = new ArrayList<>();
    private final CopyLog copies = new CopyLog(new CopyProgress((t, s) -> { }), copiedAgain::add);

    private void started(String id, long offset, long lsn) {
        copies.started(new CopyLog.Start(ORDERS, id, "log.public.orders", Map.of(0, offset), new Lsn(lsn)));
    }

    @Test
    void aCompletedCopyIsRecordedWithTheStartOfTheRequestDebeziumNames() {
        started("a", 10, 100);
        copies.tableRead("public.orders", false, 5, "SUCCEEDED", "a");
        List<CompleteCopy> complete = copies.complete(new Lsn(150));
        assertEquals(1, complete.size());
        assertEquals(Map.of(0, 10L), complete.get(0).startOffsets());
        assertEquals(new Lsn(150), complete.get(0).endLsn());
        copies.recorded(complete);
        assertTrue(copies.complete(new Lsn(160)).isEmpty(), "recorded once");
    }

    @Test
    void aCopyAnsweringALaterRequestIsRecordedFromTheOldestStartNeverALaterOne() {
        started("a", 10, 100);
        started("b", 20, 200); // asked for again while the first copy ran: Debezium names the latest request
        copies.tableRead("public.orders", false, 5, "SUCCEEDED", "b");
        List<CompleteCopy> first = copies.complete(new Lsn(250));
        assertEquals("a", first.get(0).copyId());
        assertEquals(Map.of(0, 10L), first.get(0).startOffsets());
        copies.recorded(first);
        copies.tableRead("public.orders", false, 5, "SUCCEEDED", "b");
        assertEquals("b", copies.complete(new Lsn(300)).get(0).copyId());
    }

    @Test
    void aCopyWhoseStartThisCaptureNeverSawIsNotRecorded() {
        copies.tableRead("public.orders", false, 5, "SUCCEEDED", "from-before-a-restart");
        started("c", 30, 300); // a later request's start does not stand in for it
        assertTrue(copies.complete(new Lsn(350)).isEmpty());
        assertTrue(copiedAgain.isEmpty(), "copied again only once its start has had time to come (a minute)");
    }
}
