package dev.replog.cli.status;

import dev.replog.capture.CopyStates;
import dev.replog.schemas.Lsn;

import java.util.List;

/**
 * Capture as the leader and the log show it.
 *
 * @param slot             the replication slot's name
 * @param slotExists       whether the leader has the slot
 * @param active           whether a capture is connected to the slot
 * @param confirmedLsn     the slot's confirmed flush LSN: how far capture has acknowledged the WAL
 * @param retainedWalBytes WAL the slot holds on the leader: its restart LSN to the leader's current LSN
 * @param leaderLsn        the leader's {@code pg_current_wal_lsn()}
 * @param publishedLsn     the commit LSN of the last transaction capture published (the last END in
 *                         {@code <prefix>.transactions}); null if none is in the log's tail
 * @param copiesWaiting    published tables ({@code schema.table}) whose rows capture has not asked
 *                         Debezium to copy yet ({@code replog.captured_tables} lacks them): a table
 *                         published while capture runs waits for the leader transactions open when it
 *                         was published to end
 * @param copies           the last copy of each table (initial snapshot, table published later, resnapshot) as
 *                         capture recorded it in {@code replog.captured_tables}: state, rows so far, estimate
 * @param error            why the leader or the log could not be read, else null
 */
public record CaptureStatus(String slot, boolean slotExists, boolean active, Lsn confirmedLsn, Long retainedWalBytes,
                            Lsn leaderLsn, Lsn publishedLsn, List<String> copiesWaiting, List<CopyStates.CopyState> copies,
                            String error) {

    static CaptureStatus failed(String slot, Lsn publishedLsn, String error) {
        return new CaptureStatus(slot, false, false, null, null, null, publishedLsn, List.of(), List.of(), error);
    }
}
