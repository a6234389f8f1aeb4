package dev.replog.cli;

import dev.replog.applier.FollowerConnection;
import dev.replog.capture.LeaderConnection;
import dev.replog.schemas.JdbcUrls;
import dev.replog.topology.Backoff;
import dev.replog.topology.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Waits at start for PostgreSQL and Kafka to be reachable: one line per failed attempt, and a single
 * clear error once the configured time is up, instead of a flood of stack traces.
 */
final class Reachability {

    private static final Logger log = LoggerFactory.getLogger(Reachability.class);
    private static final Duration MAX_DELAY = Duration.ofSeconds(5);

    interface Check {
        void run() throws Exception;
    }

    private Reachability() {
    }

    static void await(String what, Duration timeout, Check check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Backoff backoff = new Backoff(Duration.ofMillis(500), MAX_DELAY);
        for (int attempt = 1; ; attempt++) {
            Duration delay = backoff.next();
            try {
                check.run();
                if (attempt > 1) {
                    log.info("{} reachable after {} attempts", what, attempt);
                }
                return;
            } catch (Exception e) {
                String reason = reason(e);
                if (System.nanoTime() + delay.toNanos() > deadline) {
                    throw new StartupException(what + " unreachable after " + timeout.toSeconds() + " s (" + attempt
                            + " attempts): " + reason + " (raise startup.timeout.seconds to wait longer)");
                }
                log.warn("{} unreachable (attempt {}): {}; retrying in {} ms", what, attempt, reason, delay.toMillis());
                if (!Backoff.sleep(delay)) {
                    throw new StartupException("interrupted while waiting for " + what);
                }
            }
        }
    }

    /** @param properties pgjdbc's connection properties (user, password, TLS) */
    static void awaitPostgres(String role, String jdbcUrl, Properties properties, Duration timeout) {
        await(role + " PostgreSQL at " + JdbcUrls.redact(jdbcUrl), timeout, () -> {
            Properties p = new Properties();
            p.putAll(properties);
            p.setProperty("connectTimeout", "5");
            p.setProperty("loginTimeout", "5");
            try (Connection c = DriverManager.getConnection(jdbcUrl, p)) {
                c.isValid(5);
            }
        });
    }

    static void awaitLeader(LeaderConnection leader, Duration timeout) {
        awaitPostgres("leader", leader.jdbcUrl(), leader.jdbcProperties(), timeout);
    }

    static void awaitFollower(FollowerConnection follower, Duration timeout) {
        awaitPostgres("follower", follower.jdbcUrl(), follower.jdbcProperties("replog-applier"), timeout);
    }

    static void awaitKafka(KafkaSettings kafka, Duration timeout) {
        await("Kafka at " + kafka.bootstrapServers(), timeout, () -> {
            Properties p = kafka.clientConfig();
            p.put("request.timeout.ms", "5000");
            p.put("default.api.timeout.ms", "5000");
            p.put("socket.connection.setup.timeout.max.ms", "2000");
            try (Admin admin = Admin.create(p)) {
                admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS);
            }
        });
    }

    private static String reason(Throwable e) {
        Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof java.util.concurrent.TimeoutException) {
            return "no answer within 5 s";
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
