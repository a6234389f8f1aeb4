package dev.replog.bench;

import dev.replog.embedded.PostgresServer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static dev.replog.schemas.SqlIdentifiers.quote;

/** One database of the leader or the follower server that a workload owns for one replication run. */
record BenchDatabase(PostgresServer server, String name) {

    /** Creates a fresh database; a leftover of the same name (an interrupted run) is dropped first. */
    static BenchDatabase create(PostgresServer server, String name) throws SQLException {
        BenchDatabase db = new BenchDatabase(server, name);
        db.drop();
        server.createDatabase(name);
        return db;
    }

    Connection connect() throws SQLException {
        return server.connect(name);
    }

    /** Runs statements in autocommit mode, each on its own. */
    void execute(String... sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    /** The first column of the first row of a query with bound parameters. */
    long queryLong(String sql, Object... params) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    String queryString(String sql, Object... params) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
        return ps;
    }

    /** A libpq connection string, for CREATE SUBSCRIPTION and pgbench. */
    String conninfo() {
        return "host=" + server.host() + " port=" + server.port() + " dbname=" + conninfoValue(name)
                + " user=" + conninfoValue(server.user());
    }

    /** Drops the database, disconnecting any session still in it. */
    void drop() throws SQLException {
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + quote(name) + " WITH (FORCE)");
        }
    }

    private static String conninfoValue(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** An SQL string literal, for the few statements that take no parameters (CREATE SUBSCRIPTION). */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
