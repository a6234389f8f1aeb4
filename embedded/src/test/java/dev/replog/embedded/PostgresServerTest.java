package dev.replog.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {

    @TempDir
    Path baseDir;

    @Test
    void startsWithLogicalWalLevelOnLoopback() throws SQLException {
        Path serverDir;
        try (PostgresServer server = PostgresServer.start("leader", baseDir)) {
            serverDir = baseDir.resolve("leader");
            assertEquals("127.0.0.1", server.host());
            assertEquals("jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres?user=postgres", server.jdbcUrl());
            try (Connection connection = server.connect()) {
                assertEquals("logical", single(connection, "SHOW wal_level"));
                assertEquals("127.0.0.1", single(connection, "SHOW listen_addresses"));
                assertEquals("on", single(connection, "SHOW synchronous_commit"));
                assertEquals("127.0.0.1/32", single(connection, "SELECT inet_server_addr()::text"));
                assertEquals("17", single(connection, "SELECT current_setting('server_version_num')::int / 10000"));
                // The backend serving this connection is a child of the postmaster whose pid the server reports.
                long backend = Long.parseLong(single(connection, "SELECT pg_backend_pid()"));
                assertEquals(server.pid(), ProcessHandle.of(backend).orElseThrow().parent().orElseThrow().pid());
            }

            String awkwardName = "Orders \"EU\"";
            server.createDatabase(awkwardName);
            try (Connection connection = server.connect(awkwardName)) {
                assertEquals(awkwardName, single(connection, "SELECT current_database()"));
            }
        }
        assertFalse(Files.exists(serverDir), "close() deletes the server's directory");
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
