package dev.replog.schemas;

import java.time.Instant;
import java.util.Objects;

/**
 * Capture's statement about one partition of a table topic: every leader transaction whose commit
 * (end) LSN is at or below {@code lsn} has all its events in this partition before this record. It
 * is no change of any row; see {@link WatermarkFormat}.
 *
 * @param lsn        the commit LSN of the last transaction whose END capture had published: the
 *                   {@link LogHeaders#LSN} header of that END on the transactions topic
 * @param commitTime when the leader committed that transaction
 */
public record Watermark(Lsn lsn, Instant commitTime) implements ChangeEvent {

    public Watermark {
        Objects.requireNonNull(lsn, "lsn");
        Objects.requireNonNull(commitTime, "commitTime");
    }

    /** The position the watermark names: no transaction id, never a snapshot row. */
    @Override
    public SourcePosition source() {
        return new SourcePosition(lsn, 0, commitTime, false);
    }
}
