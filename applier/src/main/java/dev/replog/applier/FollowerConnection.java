package dev.replog.applier;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * How to reach a follower PostgreSQL.
 *
 * @param jdbcUrl  {@code jdbc:postgresql://host:port/database}
 * @param sslMode  PostgreSQL's sslmode
 * @param poolSize connections in the pool
 */
public record FollowerConnection(String jdbcUrl, String user, String password, String sslMode, int poolSize) {

    /**
     * A pool whose connections send every string parameter untyped, so PostgreSQL parses each value
     * with the input function of the column it goes into: values travel as PostgreSQL text and
     * arrive exactly, whatever the column type.
     */
    public HikariDataSource openPool(String poolName) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(poolName);
        c.setJdbcUrl(jdbcUrl);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(poolSize);
        c.setAutoCommit(false);
        c.addDataSourceProperty("stringtype", "unspecified");
        c.addDataSourceProperty("sslmode", sslMode);
        c.addDataSourceProperty("reWriteBatchedInserts", "true");
        c.addDataSourceProperty("ApplicationName", "replog-applier");
        // Fail fast at start instead of hanging; runtime reconnects are the apply loop's retries.
        c.setInitializationFailTimeout(10_000);
        c.setConnectionTimeout(10_000);
        return new HikariDataSource(c);
    }

    /** For logs and errors: never shows the password. */
    @Override
    public String toString() {
        return user + "@" + jdbcUrl.replaceFirst("^jdbc:postgresql://", "");
    }
}
