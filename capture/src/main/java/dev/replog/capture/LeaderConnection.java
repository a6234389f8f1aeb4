package dev.replog.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How to reach the leader PostgreSQL.
 *
 * @param sslMode PostgreSQL's sslmode (disable, allow, prefer, require, verify-ca, verify-full)
 */
public record LeaderConnection(String host, int port, String database, String user, String password, String sslMode) {

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public Connection open() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("sslmode", sslMode);
        p.setProperty("ApplicationName", "replog-capture");
        return DriverManager.getConnection(jdbcUrl(), p);
    }

    /** For logs and errors: never shows the password. */
    @Override
    public String toString() {
        return user + "@" + host + ":" + port + "/" + database;
    }
}
