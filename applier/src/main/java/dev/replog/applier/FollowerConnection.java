package dev.replog.applier;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import dev.replog.schemas.JdbcUrls;
import dev.replog.schemas.PostgresTls;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How to reach a follower PostgreSQL: the one place a follower connection's properties are made,
 * for the applier's pool, its lease session and the commands'.
 *
 * @param jdbcUrl  {@code jdbc:postgresql://host:port/database}
 * @param poolSize connections in the pool
 */
public record FollowerConnection(String jdbcUrl, String user, String password, PostgresTls tls, int poolSize) {

    /** @param sslMode PostgreSQL's sslmode, no certificates */
    public FollowerConnection(String jdbcUrl, String user, String password, String sslMode, int poolSize) {
        this(jdbcUrl, user, password, PostgresTls.mode(sslMode), poolSize);
    }

    public String sslMode() {
        return tls.sslMode();
    }

    /** The same follower with a pool of another size. */
    public FollowerConnection withPoolSize(int size) {
        return new FollowerConnection(jdbcUrl, user, password, tls, size);
    }

    /** pgjdbc's properties of a connection to the follower: user, password, TLS, the application name. */
    public Properties jdbcProperties(String applicationName) {
        Properties p = new Properties();
        if (user != null && !user.isEmpty()) {
            p.setProperty("user", user);
        }
        if (password != null && !password.isEmpty()) {
            p.setProperty("password", password);
        }
        p.putAll(tls.jdbcProperties());
        p.setProperty("ApplicationName", applicationName);
        return p;
    }

    /** One connection outside the pool (auto-commit on). */
    public Connection open(String applicationName) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, jdbcProperties(applicationName));
    }

    /**
     * A pool whose connections send every string parameter untyped, so PostgreSQL parses each value
     * with the input function of the column it goes into: values travel as PostgreSQL text and
     * arrive exactly, whatever the column type.
     */
    public HikariDataSource openPool(String poolName) {
        Properties p = jdbcProperties("replog-applier");
        p.setProperty("stringtype", "unspecified");
        p.setProperty("reWriteBatchedInserts", "true");
        HikariConfig c = new HikariConfig();
        c.setPoolName(poolName);
        // A data source of our own rather than jdbcUrl and data source properties: Hikari's
        // configuration dump (DEBUG) masks only a property named "password", not sslpassword.
        c.setDataSource(new DriverDataSource(jdbcUrl, null, p, null, null));
        c.setMaximumPoolSize(poolSize);
        c.setAutoCommit(false);
        // Fail fast at start instead of hanging; runtime reconnects are the apply loop's retries.
        c.setInitializationFailTimeout(10_000);
        c.setConnectionTimeout(10_000);
        return new HikariDataSource(c);
    }

    /** For logs and errors: never shows a password. */
    @Override
    public String toString() {
        return user + "@" + JdbcUrls.redact(jdbcUrl).replaceFirst("^jdbc:postgresql://", "");
    }
}
