package dev.replog.serve.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replog.schemas.Lsn;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Where one store partition stands, kept in the store itself (key {@link StoreKeys#PROGRESS}) so that
 * its changelog carries it to standbys in order with the rows: a standby that has this entry at LSN L
 * also has every row change before it.
 *
 * @param appliedLsn     every leader transaction whose commit ends at or before it is in the store
 * @param commitTimeMs   leader commit time of the last event applied (ms since the epoch), 0 if none
 * @param sourceOffset   offset of the last record of the table topic's partition processed, -1 if none
 * @param stoppedReason  null while the partition applies; else why it stopped (a poison event)
 * @param changesAfter   the highest commit LSN after which the store holds changes: for each change
 *                       applied, the commit before its transaction ({@code replog.prev.commit.lsn}; for a
 *                       snapshot row, schema change or truncate, the applied LSN then). While it is not
 *                       below {@link #appliedLsn} the store is <em>ahead</em> of its applied LSN: it holds
 *                       changes of a transaction whose commit is not yet known to be covered. Once the
 *                       applied LSN passes it, that transaction's commit (the next commit after it) is
 *                       covered, so the applied LSN bounds everything the store holds.
 */
public record PartitionProgress(String appliedLsn, long commitTimeMs, long sourceOffset, String stoppedReason,
                                String changesAfter) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static final PartitionProgress NONE = new PartitionProgress(Lsn.ZERO.toString(), 0, -1, null, null);

    public Lsn lsn() {
        return Lsn.parse(appliedLsn);
    }

    public boolean stopped() {
        return stoppedReason != null;
    }

    /**
     * After one record: {@code lsn} is the commit LSN it proves applied (a watermark, or the commit before
     * a change's transaction), null if none; {@code change} says whether the record changed the store.
     */
    PartitionProgress advancedTo(Lsn lsn, long commitMs, long offset, boolean change) {
        Lsn newLsn = lsn != null && lsn.isAfter(lsn()) ? lsn : lsn();
        String after = changesAfter;
        if (change) {
            Lsn changeAfter = lsn != null ? lsn : newLsn;
            after = changesAfter == null || changeAfter.isAfter(Lsn.parse(changesAfter)) ? changeAfter.toString() : changesAfter;
        }
        return new PartitionProgress(newLsn.toString(), Math.max(commitTimeMs, commitMs), offset, stoppedReason, after);
    }

    /** Whether the store holds changes its applied LSN does not cover yet (see {@code changesAfter}). */
    public boolean ahead() {
        return changesAfter != null && !lsn().isAfter(Lsn.parse(changesAfter));
    }

    /** Whether this progress covers everything the store held at {@code earlier}. */
    public boolean covers(PartitionProgress earlier) {
        return !earlier.ahead() || lsn().isAfter(Lsn.parse(earlier.changesAfter()));
    }

    PartitionProgress stoppedAt(long offset, String reason) {
        return new PartitionProgress(appliedLsn, commitTimeMs, offset, reason, changesAfter);
    }

    public byte[] toBytes() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write partition progress", e);
        }
    }

    public static PartitionProgress fromBytes(byte[] bytes) {
        if (bytes == null) {
            return NONE;
        }
        try {
            return JSON.readValue(bytes, PartitionProgress.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read partition progress", e);
        }
    }
}
