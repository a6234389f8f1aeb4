package dev.replog.cli.status;

import dev.replog.applier.FollowerConnection;
import dev.replog.schemas.JdbcUrls;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How to reach a SQL follower: a JDBC URL that carries everything (an entry of {@code status.followers}),
 * or this configuration's own follower with its user, password and TLS settings.
 *
 * @param configured the configured follower, or null when the URL says it all
 */
public record SqlFollowerTarget(String jdbcUrl, FollowerConnection configured) {

    public static SqlFollowerTarget url(String jdbcUrl) {
        return new SqlFollowerTarget(jdbcUrl, null);
    }

    public static SqlFollowerTarget of(FollowerConnection follower) {
        return new SqlFollowerTarget(follower.jdbcUrl(), follower);
    }

    /** Its name in the report: the URL, a password in it masked. */
    public String name() {
        return JdbcUrls.redact(jdbcUrl);
    }

    Connection connect() throws SQLException {
        Properties p = configured == null ? new Properties() : configured.jdbcProperties("replog-status");
        p.setProperty("connectTimeout", "10");
        p.setProperty("ApplicationName", "replog-status");
        return DriverManager.getConnection(jdbcUrl, p);
    }
}
