package dev.replog.applier.follower;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Decides once, from the SQLSTATE, whether a follower error is worth retrying: lost connections,
 * serialization failures, deadlocks, lock timeouts and shutdowns pass; data errors (classes 22, 23, 42, ...) do not.
 */
public final class SqlErrors {

    private SqlErrors() {
    }

    public static boolean isRetriable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLTransientConnectionException) {
                return true; // the pool's "connection is not available" while the follower does not answer
            }
            if (c instanceof SQLException e) {
                String state = e.getSQLState();
                if (state == null) {
                    continue;
                }
                // 55P03: lock_timeout (a claim waiting for another applier's batch on its partitions)
                if (state.startsWith("08") || state.startsWith("53") || state.equals("40001")
                        || state.equals("40P01") || state.startsWith("57P") || state.equals("55P03")) {
                    return true;
                }
                SQLException next = e.getNextException();
                if (next != null && next != e && isRetriable(next)) {
                    return true;
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** The most telling message: a batch failure's real reason is in its next exception. */
    public static String describe(Throwable t) {
        if (t instanceof SQLException e && e.getNextException() != null) {
            return e.getNextException().getMessage();
        }
        return t.getMessage();
    }
}
