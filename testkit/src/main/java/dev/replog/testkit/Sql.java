package dev.replog.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Terse JDBC for tests. Failures surface as {@link IllegalStateException} naming the statement,
 * with the {@link SQLException} as cause, so tests need no checked-exception plumbing.
 * URLs must carry the user, as {@code PostgresServer.jdbcUrl(...)} does.
 */
public final class Sql {

    private Sql() {
    }

    /** Runs each statement in turn, in autocommit mode unless the connection says otherwise. */
    public static void execute(Connection connection, String... statements) {
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                run(statement, sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a statement", e);
        }
    }

    public static void execute(String jdbcUrl, String... statements) {
        try (Connection connection = connect(jdbcUrl)) {
            execute(connection, statements);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot close connection to " + jdbcUrl, e);
        }
    }

    /** The single non-null value of a one-row, one-column query. */
    public static long queryForLong(Connection connection, String sql) {
        List<List<String>> rows = queryRows(connection, sql);
        if (rows.size() != 1 || rows.get(0).size() != 1 || rows.get(0).get(0) == null) {
            throw new IllegalStateException("expected one non-null value from <" + sql + "> but got " + rows);
        }
        return Long.parseLong(rows.get(0).get(0));
    }

    public static long queryForLong(String jdbcUrl, String sql) {
        try (Connection connection = connect(jdbcUrl)) {
            return queryForLong(connection, sql);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot close connection to " + jdbcUrl, e);
        }
    }

    /**
     * Every row as PostgreSQL's text form of each column ({@code getString}), SQL NULL as null,
     * in the order the query gives (so give it an ORDER BY).
     */
    public static List<List<String>> queryRows(Connection connection, String sql) {
        try (Statement statement = connection.createStatement(); ResultSet resultSet = statement.executeQuery(sql)) {
            int columns = resultSet.getMetaData().getColumnCount();
            List<List<String>> rows = new ArrayList<>();
            while (resultSet.next()) {
                List<String> row = new ArrayList<>(columns);
                for (int column = 1; column <= columns; column++) {
                    row.add(resultSet.getString(column));
                }
                rows.add(Collections.unmodifiableList(row));
            }
            return Collections.unmodifiableList(rows);
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + sql, e);
        }
    }

    public static List<List<String>> queryRows(String jdbcUrl, String sql) {
        try (Connection connection = connect(jdbcUrl)) {
            return queryRows(connection, sql);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot close connection to " + jdbcUrl, e);
        }
    }

    private static void run(Statement statement, String sql) {
        try {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("statement failed: " + sql, e);
        }
    }

    private static Connection connect(String jdbcUrl) {
        try {
            return DriverManager.getConnection(jdbcUrl);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to " + jdbcUrl, e);
        }
    }
}
