package dev.replog.schemas;

import java.time.Instant;

/**
 * The leader-side position of an event.
 *
 * @param lsn        WAL position of the change (for snapshot rows: the snapshot's consistent point)
 * @param txId       leader transaction id (xid)
 * @param commitTime commit time of the leader transaction (snapshot: the time the row was read)
 * @param snapshot   true for rows read by the initial snapshot rather than streamed from the WAL
 */
public record SourcePosition(Lsn lsn, long txId, Instant commitTime, boolean snapshot) {
}
