package dev.replog.applier.verify;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a new connection to one database (the leader or the follower). */
@FunctionalInterface
public interface SqlConnector {
    Connection open() throws SQLException;
}
