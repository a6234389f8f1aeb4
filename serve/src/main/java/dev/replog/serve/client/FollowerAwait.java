package dev.replog.serve.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replog.schemas.JdbcUrls;
import dev.replog.schemas.Lsn;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Semi-synchronous writes: after a commit on the leader, wait until {@code n} of the followers have
 * applied its LSN. A SQL follower answers through {@code replog.applied_lsn()} (every leader
 * transaction committed at or before it is applied there); a serve group through
 * {@code /v1/status?scope=group} (every partition of every table has applied it).
 */
public final class FollowerAwait {

    /** One follower and how far it has applied the leader's history. */
    public interface Follower extends AutoCloseable {
        String name();

        /** Releases what it holds (a SQL follower's connection). */
        @Override
        default void close() {
        }

        /** @return the applied LSN, or null if it cannot say now (unreachable, not started) */
        Lsn appliedLsn();
    }

    /** Where each follower stood when the wait ended. */
    public record Outcome(boolean reached, Map<String, Lsn> applied, Map<String, String> problems) {
    }

    private static final long POLL_MS = 20;

    private FollowerAwait() {
    }

    /** A JDBC URL fit to print: a password in it is masked. */
    public static String displayName(String jdbcUrl) {
        return JdbcUrls.redact(jdbcUrl);
    }

    /** A SQL follower (any JDBC URL the PostgreSQL driver on the class path takes). */
    public static Follower sql(String jdbcUrl, String user, String password) {
        return new Follower() {
            private Connection connection;

            @Override
            public String name() {
                return displayName(jdbcUrl);
            }

            @Override
            public Lsn appliedLsn() {
                try {
                    if (connection == null || !connection.isValid(2)) {
                        Properties p = new Properties();
                        if (user != null && !user.isEmpty()) {
                            p.put("user", user);
                        }
                        if (password != null && !password.isEmpty()) {
                            p.put("password", password);
                        }
                        connection = DriverManager.getConnection(jdbcUrl, p);
                    }
                    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT replog.applied_lsn()::text")) {
                        return rs.next() && rs.getString(1) != null ? Lsn.parse(rs.getString(1)) : null;
                    }
                } catch (Exception e) {
                    close();
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                try {
                    if (connection != null) {
                        connection.close();
                    }
                } catch (Exception ignored) {
                    // closing a broken connection
                }
                connection = null;
            }
        };
    }

    /** A serve group, asked through any of its instances (host:port). */
    public static Follower serveGroup(List<String> instances) {
        ServeStatusClient group = new ServeStatusClient(instances);
        return new Follower() {
            @Override
            public String name() {
                return group.name();
            }

            @Override
            public Lsn appliedLsn() {
                try {
                    JsonNode body = group.fetch();
                    return body.path("appliedLsn").isTextual() ? Lsn.parse(body.path("appliedLsn").asText()) : null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        };
    }

    /** Waits until {@code n} followers have applied {@code lsn}, or the timeout passes. */
    public static Outcome await(List<Follower> followers, Lsn lsn, int n, Duration timeout) throws InterruptedException {
        if (n < 1 || n > followers.size()) {
            throw new IllegalArgumentException("cannot wait for " + n + " of " + followers.size() + " follower(s)");
        }
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Map<String, Lsn> applied = new LinkedHashMap<>();
            Map<String, String> problems = new LinkedHashMap<>();
            int reached = 0;
            for (Follower f : followers) {
                try {
                    Lsn at = f.appliedLsn();
                    applied.put(f.name(), at);
                    if (at != null && at.compareTo(lsn) >= 0) {
                        reached++;
                    }
                } catch (RuntimeException e) {
                    problems.put(f.name(), e.getMessage());
                }
            }
            if (reached >= n || !Instant.now().isBefore(deadline)) {
                return new Outcome(reached >= n, applied, problems);
            }
            Thread.sleep(POLL_MS);
        }
    }
}
