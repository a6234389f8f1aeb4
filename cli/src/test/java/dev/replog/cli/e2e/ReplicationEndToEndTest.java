package dev.replog.cli.e2e;

import dev.replog.schemas.TableId;
import dev.replog.testkit.TableContents;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Leader changes of every kind arrive on the follower identically, content compared column by column. */
class ReplicationEndToEndTest {

    private static final TableId ITEMS = new TableId("public", "items");
    private static final TableId LINES = new TableId("sales", "order_lines");

    private static void createTables(Replication r) {
        r.leader("""
                CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2),
                    tags text[], added timestamptz DEFAULT now(), picture bytea)""",
                "CREATE SCHEMA sales",
                """
                CREATE TABLE sales.order_lines (order_id bigint, line_no int, sku uuid NOT NULL,
                    qty int NOT NULL, note varchar(40), PRIMARY KEY (order_id, line_no))""");
    }

    private static void assertSameContents(Replication r) {
        assertEquals(TableContents.of(r.leaderUrl(), "public.items", "id"),
                TableContents.of(r.followerUrl(), "public.items", "id"));
        assertEquals(TableContents.of(r.leaderUrl(), "sales.order_lines", "order_id, line_no"),
                TableContents.of(r.followerUrl(), "sales.order_lines", "order_id, line_no"));
    }

    @Test
    void followerMatchesLeaderAfterInsertsUpdatesDeletesPrimaryKeyUpdatesAndNulls() throws Exception {
        try (Replication r = new Replication("e2e_changes", 1, List.of(ITEMS, LINES))) {
            createTables(r);
            r.startCapture();
            r.startApplier();
            r.leader(
                    "INSERT INTO items VALUES (1, 'one', 1.50, '{a,b}', now(), '\\x00ff'), (2, 'two', NULL, NULL, NULL, NULL), (3, 'три 🚀', 3, '{}', now(), '')",
                    "UPDATE items SET price = 2.25, tags = '{\"with space\",\"quo\\\"te\",NULL}' WHERE id = 2",
                    "UPDATE items SET price = NULL WHERE id = 1",
                    "DELETE FROM items WHERE id = 3",
                    "UPDATE items SET id = 30 WHERE id = 1",
                    "INSERT INTO sales.order_lines VALUES (1, 1, gen_random_uuid(), 2, NULL), (1, 2, gen_random_uuid(), 1, 'x'), (2, 1, gen_random_uuid(), 5, 'y')",
                    "UPDATE sales.order_lines SET line_no = 9 WHERE order_id = 1 AND line_no = 2",
                    "UPDATE sales.order_lines SET qty = qty + 1, note = NULL WHERE order_id = 2",
                    "DELETE FROM sales.order_lines WHERE order_id = 1 AND line_no = 1");
            r.awaitFollowerMatchesLeader();
            assertSameContents(r);
            assertEquals(List.of(List.of("2"), List.of("30")), dev.replog.testkit.Sql.queryRows(r.followerUrl(), "SELECT id FROM items ORDER BY id"));
        }
    }

    @Test
    void truncateEmptiesTheFollowerTableAndRowsWrittenAfterItSurviveAcrossPartitions() throws Exception {
        try (Replication r = new Replication("e2e_truncate", 3, List.of(ITEMS))) {
            createTables(r);
            r.startCapture();
            r.startApplier();
            r.leader("INSERT INTO items (id, name) SELECT g, 'before ' || g FROM generate_series(1, 200) g");
            r.awaitFollowerMatchesLeader();
            r.leader("TRUNCATE items",
                    "INSERT INTO items (id, name) SELECT g, 'after ' || g FROM generate_series(150, 260) g");
            r.awaitFollowerMatchesLeader();
            assertEquals(TableContents.of(r.leaderUrl(), "public.items", "id"), TableContents.of(r.followerUrl(), "public.items", "id"));
            assertEquals(111L, dev.replog.testkit.Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM items"));
        }
    }

    @Test
    void rowsPresentBeforeCaptureAreCopiedAndChangesDuringTheSnapshotAreKept() throws Exception {
        try (Replication r = new Replication("e2e_snapshot", 1, List.of(ITEMS, LINES))) {
            createTables(r);
            r.leader("INSERT INTO items (id, name, price) SELECT g, 'row ' || g, g / 100.0 FROM generate_series(1, 20000) g",
                    "INSERT INTO sales.order_lines SELECT g, 1, gen_random_uuid(), g, NULL FROM generate_series(1, 5000) g");
            r.startApplier();
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 50; i++) {
                    r.leader("UPDATE items SET name = 'changed during snapshot " + i + "' WHERE id = " + (i * 397 + 1),
                            "INSERT INTO items (id, name) VALUES (" + (100_000 + i) + ", 'new during snapshot')",
                            "DELETE FROM sales.order_lines WHERE order_id = " + (i * 97 + 1));
                }
            });
            writer.start();
            r.startCapture();
            writer.join();
            r.awaitFollowerMatchesLeader();
            assertSameContents(r);
        }
    }
}
