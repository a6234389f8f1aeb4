package dev.replog.applier.verify;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Something read from the leader in one repeatable-read transaction, with the leader's WAL position
 * read first in that transaction: a follower that has applied the leader's log up to {@code lsn} has
 * every change the read saw.
 */
record LeaderSnapshot<T>(String lsn, T value) {

    interface Read<T> {
        T from(Connection leader) throws SQLException;
    }

    static <T> LeaderSnapshot<T> take(Connection leader, Read<T> read) throws SQLException {
        leader.setAutoCommit(false);
        leader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            String lsn = FollowerLsn.leaderPosition(leader);
            T value = read.from(leader);
            leader.commit();
            return new LeaderSnapshot<>(lsn, value);
        } finally {
            if (!leader.getAutoCommit()) {
                leader.rollback();
            }
            leader.setAutoCommit(true);
            leader.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        }
    }
}
