package dev.replog.capture;

import dev.replog.schemas.PostgresTls;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How to reach the leader PostgreSQL: the one place a leader connection's properties are made, for
 * capture's own connections, Debezium's ({@link DebeziumConfig}) and the commands'.
 */
public record LeaderConnection(String host, int port, String database, String user, String password, PostgresTls tls) {

    /** @param sslMode PostgreSQL's sslmode (disable, allow, prefer, require, verify-ca, verify-full), no certificates */
    public LeaderConnection(String host, int port, String database, String user, String password, String sslMode) {
        this(host, port, database, user, password, PostgresTls.mode(sslMode));
    }

    public String sslMode() {
        return tls.sslMode();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** pgjdbc's properties of a connection to the leader: user, password, TLS. */
    public Properties jdbcProperties() {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null && !password.isEmpty()) {
            p.setProperty("password", password);
        }
        p.putAll(tls.jdbcProperties());
        p.setProperty("ApplicationName", "replog-capture");
        return p;
    }

    public Connection open() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), jdbcProperties());
    }

    /** For logs and errors: never shows the password. */
    @Override
    public String toString() {
        return user + "@" + host + ":" + port + "/" + database;
    }
}
