package dev.replog.cli.status;

import dev.replog.schemas.Lsn;

import java.time.Instant;
import java.util.List;

/**
 * A SQL follower's state.
 *
 * @param name        its JDBC URL, password masked
 * @param error       why it could not be read (unreachable, not a Replog follower), else null
 * @param mode        its {@code apply.mode}; null before an applier first wrote to it
 * @param appliedLsn  {@code replog.applied_lsn()}: every leader transaction committed at or before it is applied
 * @param lag         the whole follower's lag
 * @param deadLetters events skipped under {@code apply.on.error=skip}, in {@code replog.dead_letters}
 */
public record FollowerStatus(String name, String error, String mode, Lsn appliedLsn, Lag lag, long deadLetters,
                             List<TableStatus> tables) {

    static FollowerStatus unreachable(String name, String error) {
        return new FollowerStatus(name, error, null, null, null, 0, List.of());
    }

    /** A table's state on the follower, over all its partitions. */
    public enum State {
        RUNNING("running"), CAUGHT_UP("caught-up"), SNAPSHOTTING("snapshotting"), STOPPED("stopped");

        private final String label;

        State(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One table.
     *
     * @param table           {@code schema.table}, or the topic's table part if the follower does not know the table yet
     * @param topic           its topic
     * @param stop            the poison event it is stopped at, if stopped
     * @param snapshotPercent while snapshotting: the follower's rows as a percentage of the leader's
     *                        (both PostgreSQL's live-row estimates, at most 100); null if unknown
     */
    public record TableStatus(String table, String topic, State state, Stop stop, Double snapshotPercent, long deadLetters,
                              Lag lag, List<PartitionStatus> partitions) {
    }

    /**
     * One partition of a table's topic.
     *
     * @param appliedOffset   the offset of the last record applied; null if the follower has no position
     * @param appliedLsn      the LSN of the last change applied (or the watermark, if later)
     * @param snapshotPending whether a snapshot row is among the records not yet applied
     */
    public record PartitionStatus(int partition, Long appliedOffset, Lsn appliedLsn, Lag lag, boolean snapshotPending) {
    }

    /** The poison event a table is stopped at ({@code replog.stopped_tables}). */
    public record Stop(int partition, long offset, Lsn lsn, String reason, Instant failedAt) {
    }
}
