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
 */
public record PartitionProgress(String appliedLsn, long commitTimeMs, long sourceOffset, String stoppedReason) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static final PartitionProgress NONE = new PartitionProgress(Lsn.ZERO.toString(), 0, -1, null);

    public Lsn lsn() {
        return Lsn.parse(appliedLsn);
    }

    public boolean stopped() {
        return stoppedReason != null;
    }

    PartitionProgress advancedTo(Lsn lsn, long commitMs, long offset) {
        Lsn newLsn = lsn != null && lsn.isAfter(lsn()) ? lsn : lsn();
        return new PartitionProgress(newLsn.toString(), Math.max(commitTimeMs, commitMs), offset, stoppedReason);
    }

    PartitionProgress stoppedAt(long offset, String reason) {
        return new PartitionProgress(appliedLsn, commitTimeMs, offset, reason);
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
