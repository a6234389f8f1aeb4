package dev.replog.cli.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.replog.applier.ApplyMode;
import dev.replog.cli.deploy.PsqlScript;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capture and apply need no superuser: exactly the privileges README "Privileges" grants, as
 * deploy/sql/leader-role.sql and follower-role.sql grant them (this test runs those files). The
 * application's tables belong to a role of their own; capture runs as a role with the REPLICATION
 * attribute, CREATE on the leader database and membership in the tables' owner role (PostgreSQL
 * lets only a table's owner add it to a publication); apply runs as a role with CREATE on the
 * follower database and on its schema public.
 */
class PrivilegesTest {

    private static final TableId ITEMS = new TableId("public", "items");
    private static final TableId ORDERS = new TableId("public", "orders");
    private static final TableId LATER = new TableId("public", "later");

    @ParameterizedTest
    @EnumSource(ApplyMode.class)
    void captureAndApplyRunAsRolesWithoutSuperuserAndReplicateEverything(ApplyMode mode) throws Exception {
        try (Replication r = new Replication("privileges_" + mode, 2, List.of(new TableId("public", "*")))) {
            String owner = "app_owner_" + r.leaderDb();
            String capture = "replog_capture_" + r.leaderDb();
            String apply = "replog_apply_" + r.followerDb();
            // The application: its tables belong to a role that is neither capture's nor a superuser.
            r.leader("CREATE ROLE " + owner + " NOLOGIN", "GRANT CREATE ON SCHEMA public TO " + owner,
                    "SET ROLE " + owner,
                    "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2))",
                    "CREATE TABLE orders (id bigint PRIMARY KEY, item int NOT NULL, qty int NOT NULL)",
                    "CREATE TABLE audit (at timestamptz NOT NULL, what text)",
                    "INSERT INTO items SELECT g, 'item ' || g, g * 1.5 FROM generate_series(1, 100) g",
                    "INSERT INTO orders SELECT g, 1 + g % 100, g FROM generate_series(1, 200) g",
                    "INSERT INTO audit SELECT now(), 'setup' FROM generate_series(1, 5)");
            // README, "Privileges": the roles exactly as deploy/sql creates them.
            r.leader(PsqlScript.of(PsqlScript.LEADER_ROLE, Map.of("role", capture, "database", r.leaderDb(),
                    "owner", owner, "password", "capture's")).statements().toArray(String[]::new));
            r.follower(PsqlScript.of(PsqlScript.FOLLOWER_ROLE, Map.of("role", apply, "database", r.followerDb(),
                    "password", "apply's")).statements().toArray(String[]::new));
            r.captureAs(capture);
            r.applyAs(apply);
            r.mode(mode);

            r.startCapture();
            r.startApplier();
            r.leader("SET ROLE " + owner,
                    "INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(101, 150) g",
                    "UPDATE items SET price = price * 2 WHERE id % 3 = 0",
                    "DELETE FROM orders WHERE id % 4 = 0",
                    "UPDATE orders SET id = id + 1000 WHERE id BETWEEN 1 AND 10",
                    "UPDATE audit SET what = 'seen' WHERE what = 'setup'",
                    "DELETE FROM audit WHERE ctid IN (SELECT ctid FROM audit LIMIT 1)",
                    "CREATE TABLE later (id int PRIMARY KEY, note text)",
                    "INSERT INTO later SELECT g, 'created while capture runs' FROM generate_series(1, 50) g");
            r.awaitFollowerMatchesLeader(List.of(ITEMS, ORDERS, LATER));
            r.leader("SET ROLE " + owner, "DELETE FROM later WHERE id <= 10", "UPDATE later SET note = 'streamed' WHERE id > 40",
                    "TRUNCATE orders", "INSERT INTO orders VALUES (1, 1, 1)");
            r.awaitFollowerMatchesLeader(List.of(ITEMS, ORDERS, LATER));

            assertEquals(List.of(List.of(apply, "f", "f")), Sql.queryRows(r.followerUrl(),
                    "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = '" + apply + "'"));
            assertEquals(List.of(List.of(capture, "f", "t")), Sql.queryRows(r.leaderUrl(),
                    "SELECT rolname, rolsuper, rolreplication FROM pg_roles WHERE rolname = '" + capture + "'"));
            assertEquals(List.of(List.of(capture)), Sql.queryRows(r.leaderUrl(),
                    "SELECT pubowner::regrole::text FROM pg_publication WHERE pubname = '" + r.leaderDb() + "'"));
            assertEquals(List.of(List.of(apply, "3")), Sql.queryRows(r.followerUrl(),
                    "SELECT tableowner, count(*)::text FROM pg_tables WHERE schemaname = 'public' GROUP BY 1"),
                    "apply created the follower's tables");
        }
    }

    /**
     * Without membership in the owner role, capture cannot publish a table: it says so once, with the
     * statement for a superuser, and copies the table's rows once the table is in the publication. A
     * table it may not read is named too, and copied once it may.
     */
    @Test
    void tablesCaptureMayNotPublishOrReadAreNamedWithWhatToDoAndCopiedOnceItIsDone() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger("dev.replog.capture.LeaderPublication");
        log.start();
        logger.addAppender(log);
        try (Replication r = new Replication("privileges_admin", 1, List.of(new TableId("public", "*")))) {
            String owner = "app_owner_" + r.leaderDb();
            String capture = "replog_capture_" + r.leaderDb();
            r.leader("CREATE ROLE " + owner + " NOLOGIN", "GRANT CREATE ON SCHEMA public TO " + owner,
                    "SET ROLE " + owner,
                    "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)",
                    "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g");
            r.leader("CREATE ROLE " + capture + " LOGIN REPLICATION",
                    "GRANT CREATE ON DATABASE " + r.leaderDb() + " TO " + capture,
                    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + capture);
            r.captureAs(capture);
            r.startCapture();
            r.startApplier();
            String warning = "cannot add table \"public\".\"items\" to publication " + r.leaderDb();
            Await.until("capture says it cannot publish items", Replication.CATCH_UP,
                    () -> warnings(log).stream().anyMatch(w -> w.startsWith(warning)));
            String message = warnings(log).stream().filter(w -> w.startsWith(warning)).findFirst().orElseThrow();
            assertTrue(message.contains("GRANT \"" + owner + "\" TO \"" + capture + "\""), message);
            String statement = message.substring(message.indexOf("have a superuser run: ") + "have a superuser run: ".length(),
                    message.indexOf("; capture then copies"));
            assertEquals("ALTER PUBLICATION \"" + r.leaderDb() + "\" ADD TABLE \"public\".\"items\"", statement);

            r.leader(statement);
            r.leader("SET ROLE " + owner, "INSERT INTO items VALUES (101, 'published')", "UPDATE items SET name = 'x' WHERE id = 1");
            r.awaitFollowerMatchesLeader(List.of(ITEMS));
            assertEquals(1, warnings(log).stream().filter(w -> w.startsWith(warning)).count(), warnings(log).toString());

            // A table created later: capture may not read it (no default privileges), and a superuser publishes it.
            r.leader("SET ROLE " + owner, "CREATE TABLE later (id int PRIMARY KEY)", "INSERT INTO later SELECT generate_series(1, 30)");
            String laterWarning = "cannot add table \"public\".\"later\" to publication " + r.leaderDb();
            Await.until("capture says it cannot publish later", Replication.CATCH_UP,
                    () -> warnings(log).stream().anyMatch(w -> w.startsWith(laterWarning)));
            r.leader("ALTER PUBLICATION \"" + r.leaderDb() + "\" ADD TABLE \"public\".\"later\"");
            String copyError = "rows of table \"public\".\"later\" written before it was published could not be copied "
                    + "(Debezium's incremental snapshot ended with SQL_EXCEPTION";
            Await.until("capture says it could not copy later", Replication.CATCH_UP, () -> log.list.stream()
                    .anyMatch(e -> e.getLevel() == Level.ERROR && e.getFormattedMessage().startsWith(copyError)));
            r.leader("SET ROLE " + owner, "INSERT INTO later VALUES (31)", "GRANT SELECT ON later TO " + capture);
            r.awaitFollowerMatchesLeader(List.of(ITEMS, LATER));
            assertEquals(1, log.list.stream().filter(e -> e.getFormattedMessage().startsWith(copyError)).count());
        } finally {
            logger.detachAppender(log);
        }
    }

    private static List<String> warnings(ListAppender<ILoggingEvent> log) {
        return log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }
}
