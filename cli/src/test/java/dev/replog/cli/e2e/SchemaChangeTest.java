package dev.replog.cli.e2e;

import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TableContents;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leader DDL reaches the follower in log order, before the rows that depend on it, with no restart;
 * a change that cannot be applied safely stops with an error naming the table and the change.
 */
class SchemaChangeTest {

    private static final TableId ITEMS = new TableId("public", "items");

    private static Replication started(String name, int partitions) throws InterruptedException {
        Replication r = new Replication(name, partitions, List.of(ITEMS));
        r.leader("""
                CREATE TABLE items (id int PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'unnamed',
                    qty int CHECK (qty >= 0), price numeric(6,2),
                    total numeric GENERATED ALWAYS AS (qty * price) STORED)""",
                "INSERT INTO items (id, name, qty, price) SELECT g, 'item ' || g, g, g / 10.0 FROM generate_series(1, 50) g");
        r.startCapture();
        r.startApplier();
        r.awaitFollowerMatchesLeader();
        return r;
    }

    private static void assertSameTable(Replication r) {
        r.awaitFollowerMatchesLeader();
        TableDefinitions.assertSame(r, "public.items");
        assertEquals(TableContents.of(r.leaderUrl(), "public.items", "id"), TableContents.of(r.followerUrl(), "public.items", "id"));
    }

    @Test
    void createdFollowerTableHasTheLeadersDefaultsConstraintsAndRecomputedGeneratedColumns() throws Exception {
        try (Replication r = started("ddl_create", 1)) {
            r.leader("INSERT INTO items (id, qty, price) VALUES (100, 3, 1.50)", "UPDATE items SET qty = 7 WHERE id = 1");
            assertSameTable(r);
            assertEquals(List.of(List.of("unnamed", "4.50")),
                    Sql.queryRows(r.followerUrl(), "SELECT name, total FROM items WHERE id = 100"));
        }
    }

    @Test
    void addColumnWithAndWithoutDefaultArrivesBeforeItsRows() throws Exception {
        try (Replication r = started("ddl_add", 1)) {
            r.leader("ALTER TABLE items ADD COLUMN colour text",
                    "ALTER TABLE items ADD COLUMN size int NOT NULL DEFAULT 42",
                    "INSERT INTO items (id, name, colour) VALUES (101, 'new', 'red')",
                    "UPDATE items SET size = 7, colour = 'blue' WHERE id = 2");
            assertSameTable(r);
        }
    }

    @Test
    void dropColumnRemovesItOnTheFollower() throws Exception {
        try (Replication r = started("ddl_drop_column", 1)) {
            r.leader("ALTER TABLE items DROP COLUMN total", "ALTER TABLE items DROP COLUMN price",
                    "INSERT INTO items (id, name, qty) VALUES (102, 'after drop', 1)");
            assertSameTable(r);
        }
    }

    @Test
    void renameColumnKeepsItsValues() throws Exception {
        try (Replication r = started("ddl_rename", 1)) {
            r.leader("ALTER TABLE items RENAME COLUMN qty TO quantity",
                    "INSERT INTO items (id, quantity, price) VALUES (103, 9, 2)",
                    "UPDATE items SET price = 1 WHERE id = 3");
            assertSameTable(r);
            assertEquals(List.of(List.of("5")), Sql.queryRows(r.followerUrl(), "SELECT quantity FROM items WHERE id = 5"));
        }
    }

    @Test
    void wideningTypesKeepsValuesAndAcceptsWiderOnes() throws Exception {
        try (Replication r = started("ddl_widen", 1)) {
            r.leader("ALTER TABLE items DROP COLUMN total", // a generated column pins the types it reads
                    "ALTER TABLE items ALTER COLUMN id TYPE bigint",
                    "ALTER TABLE items ALTER COLUMN name TYPE text",
                    "ALTER TABLE items ALTER COLUMN price TYPE numeric(12,4)",
                    "INSERT INTO items (id, name, qty, price) VALUES (5000000000, repeat('long name ', 10), 1, 12345678.1234)");
            assertSameTable(r);
        }
    }

    @Test
    void narrowingTypeStopsThatTablesApplyNamingTheTableAndTheChangeAndLosesNoRow() throws Exception {
        try (Replication r = started("ddl_narrow", 1)) {
            List<List<String>> before = TableContents.of(r.followerUrl(), "public.items", "id");
            r.leader("ALTER TABLE items ALTER COLUMN name TYPE varchar(10)", "INSERT INTO items (id, name) VALUES (104, 'short')");
            Await.until("the table stops at the refused change", Replication.CATCH_UP,
                    () -> Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM replog.stopped_tables") == 1);
            String message = Sql.queryRows(r.followerUrl(), "SELECT error FROM replog.stopped_tables").get(0).get(0);
            assertTrue(message.contains("table public.items") && message.contains("\"name\"")
                    && message.contains("character varying(10)"), message);
            assertFalse(r.applier().stopped().isDone(), "only the table stops, not the applier");
            assertEquals(before, TableContents.of(r.followerUrl(), "public.items", "id"));
            assertEquals(List.of(List.of("character varying(20)")), Sql.queryRows(r.followerUrl(),
                    "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'name'"));
        }
    }

    @Test
    void schemaChangesWhileRowsStreamOnSeveralPartitionsKeepEveryRow() throws Exception {
        try (Replication r = started("ddl_streaming", 3)) {
            r.leader("ALTER TABLE items DROP COLUMN total");
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                for (int i = 0; writing.get(); i++) {
                    r.leader("INSERT INTO items (id, qty) VALUES (" + (1000 + i) + ", " + i + ") ON CONFLICT DO NOTHING",
                            "UPDATE items SET qty = qty + 1 WHERE id = " + (1 + i % 50));
                }
            });
            writer.start();
            try {
                r.leader("ALTER TABLE items ADD COLUMN note text DEFAULT 'n/a'",
                        "UPDATE items SET note = 'noted ' || id WHERE id % 3 = 0",
                        "ALTER TABLE items RENAME COLUMN note TO remark",
                        "UPDATE items SET remark = 'remarked' WHERE id % 5 = 0",
                        "ALTER TABLE items ALTER COLUMN qty TYPE bigint",
                        "UPDATE items SET qty = 9000000000 WHERE id = 7",
                        "ALTER TABLE items DROP COLUMN price");
            } finally {
                writing.set(false);
                writer.join();
            }
            // A column change travels with the table's next row: the writer may have stopped before the last DDL.
            r.leader("UPDATE items SET qty = qty + 1 WHERE id = 1");
            assertSameTable(r);
        }
    }

    /**
     * Capture reads the leader catalog when a row with a new schema arrives, which may be long after
     * the DDL: with capture stopped through all of it, the catalog it reads already has the column
     * added after the first rows, under its later name. Every row must still reach the follower with
     * its values (before the fix, the added column came early, the rename looked like a drop, and the
     * values written under the old name were lost on the follower).
     */
    @Test
    void columnsAddedAndRenamedWhileCaptureIsBehindKeepTheirValues() throws Exception {
        try (Replication r = started("ddl_behind", 1)) {
            r.stopCapture();
            r.leader("UPDATE items SET qty = qty + 1 WHERE id <= 10",
                    "ALTER TABLE items ADD COLUMN note text DEFAULT 'n/a'",
                    "UPDATE items SET note = 'noted ' || id WHERE id % 3 = 0",
                    "ALTER TABLE items RENAME COLUMN note TO remark",
                    "UPDATE items SET remark = 'remarked' WHERE id % 5 = 0",
                    "ALTER TABLE items ADD COLUMN score int CHECK (score > 0)",
                    "UPDATE items SET score = id WHERE id % 7 = 0");
            r.startCapture();
            assertSameTable(r);
        }
    }

    @Test
    void droppedLeaderTableIsDroppedOnTheFollowerAfterItsLastRows() throws Exception {
        TableId other = new TableId("public", "other");
        try (Replication r = new Replication("ddl_drop_table", 1, List.of(ITEMS, other))) {
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text)", "CREATE TABLE other (id int PRIMARY KEY)",
                    "INSERT INTO items SELECT g, 'row ' || g FROM generate_series(1, 20) g", "INSERT INTO other VALUES (1)");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
            r.leader("INSERT INTO items VALUES (21, 'last')", "DROP TABLE items");
            // Capture publishes the drop once it has read the WAL past the point it saw the table gone.
            Await.until("follower table items is dropped", Replication.CATCH_UP, () -> {
                r.leader("INSERT INTO other VALUES ((SELECT max(id) + 1 FROM other))");
                return Sql.queryRows(r.followerUrl(), "SELECT to_regclass('public.items')").get(0).get(0) == null;
            });
            Await.until("follower table other matches", Replication.CATCH_UP, () ->
                    TableContents.of(r.leaderUrl(), "public.other", "id").equals(TableContents.of(r.followerUrl(), "public.other", "id")));
        }
    }

    @Test
    void tableCreatedOnTheLeaderMatchingTheCapturePatternIsCreatedOnTheFollower() throws Exception {
        TableId created = new TableId("public", "created_later");
        try (Replication r = new Replication("ddl_create_table", 1, List.of(new TableId("public", "*")))) {
            r.leader("CREATE TABLE items (id int PRIMARY KEY, name text)", "INSERT INTO items VALUES (1, 'one')");
            r.startCapture();
            r.startApplier();
            r.leader("""
                    CREATE TABLE created_later (id bigint PRIMARY KEY, label text NOT NULL DEFAULT 'none',
                        amount numeric(8,2) CHECK (amount > 0), doubled numeric GENERATED ALWAYS AS (amount * 2) STORED)""",
                    "INSERT INTO created_later (id, amount) VALUES (1, 10.5), (2, 3)",
                    "UPDATE created_later SET label = 'two' WHERE id = 2");
            r.awaitFollowerMatchesLeader(List.of(ITEMS, created));
            TableDefinitions.assertSame(r, "public.created_later");
            assertEquals(TableContents.of(r.leaderUrl(), "created_later", "id"), TableContents.of(r.followerUrl(), "created_later", "id"));
        }
    }
}
