package dev.replog.cli.status;

import dev.replog.serve.client.FollowerAwait;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How to reach a SQL follower: a JDBC URL, and a user, password and sslmode where the URL does not
 * carry them (null: as the URL says).
 */
public record SqlFollowerTarget(String jdbcUrl, String user, String password, String sslMode) {

    /** Its name in the report: the URL, a password in it masked. */
    public String name() {
        return FollowerAwait.displayName(jdbcUrl);
    }

    Connection connect() throws SQLException {
        Properties p = new Properties();
        putIfSet(p, "user", user);
        putIfSet(p, "password", password);
        putIfSet(p, "sslmode", sslMode);
        p.put("connectTimeout", "10");
        p.put("ApplicationName", "replog-status");
        return DriverManager.getConnection(jdbcUrl, p);
    }

    private static void putIfSet(Properties p, String key, String value) {
        if (value != null && !value.isEmpty()) {
            p.put(key, value);
        }
    }
}
