package dev.replog.applier.follower;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What a row-mode partition paused in the middle of its log waits for: another partition of the same
 * table reaching a point of the leader's history, seen in the follower (so it works across applier
 * instances and restarts).
 */
public interface PartitionWait {

    /** True once the partition may go on. */
    boolean released(Connection c) throws SQLException;
}
