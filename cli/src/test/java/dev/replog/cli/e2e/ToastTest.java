package dev.replog.cli.e2e;

import dev.replog.applier.ApplyMode;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TableContents;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Updates that do not touch a large (TOASTed) column leave it out of the WAL; the follower keeps its
 * value and the unavailable-value placeholder never reaches a follower row.
 */
class ToastTest {

    private static final TableId DOCS = new TableId("public", "docs");
    /** About 2.2 MB of incompressible text, so PostgreSQL stores it out of line. */
    private static final String BIG_TEXT = "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 70000))";

    private static void updateAroundLargeValues(boolean replicaIdentityFull) throws Exception {
        try (Replication r = new Replication(replicaIdentityFull ? "toast_full" : "toast_default", 2, List.of(DOCS))) {
            r.leader("CREATE TABLE docs (id int PRIMARY KEY, counter int NOT NULL, body text, data bytea, doc jsonb)");
            if (replicaIdentityFull) {
                r.leader("ALTER TABLE docs REPLICA IDENTITY FULL");
            }
            r.startCapture();
            r.startApplier();
            r.leader("INSERT INTO docs SELECT g, 0, " + BIG_TEXT + ", decode(" + BIG_TEXT + ", 'hex'), jsonb_build_object('blob', "
                    + BIG_TEXT + ", 'n', g) FROM generate_series(1, 3) g",
                    "UPDATE docs SET counter = counter + 1",
                    "UPDATE docs SET body = body || ' and more' WHERE id = 1",
                    "UPDATE docs SET data = data || '\\x00ff'::bytea, counter = 5 WHERE id = 2",
                    "UPDATE docs SET doc = doc || '{\"changed\": true}' WHERE id = 3",
                    "UPDATE docs SET counter = counter + 10");
            r.leader("UPDATE docs SET id = id + 100 WHERE id = 3");
            r.awaitFollowerMatchesLeader();
            assertEquals(TableContents.of(r.leaderUrl(), "docs", "id"), TableContents.of(r.followerUrl(), "docs", "id"));
            assertEquals(0L, Sql.queryForLong(r.followerUrl(), """
                    SELECT count(*) FROM docs WHERE body LIKE '%__debezium_unavailable_value%'
                        OR position('__debezium_unavailable_value'::bytea IN data) > 0
                        OR doc::text LIKE '%__debezium_unavailable_value%'"""));
            assertEquals(3L, Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM docs WHERE length(body) > 2000000"));
        }
    }

    /**
     * A primary-key UPDATE under the default replica identity carries neither the old nor the new row's
     * untouched large values; the follower moves them from the old key's row to the new one. With three
     * partitions, old and new keys mostly live in different partitions, applied independently in row mode.
     */
    private static void moveKeysAroundLargeValues(ApplyMode mode) throws Exception {
        try (Replication r = new Replication("toast_move_" + mode.name().toLowerCase(Locale.ROOT), 3, List.of(DOCS))) {
            r.mode(mode);
            r.leader("CREATE TABLE docs (id int PRIMARY KEY, counter int NOT NULL, body text, data bytea, doc jsonb)",
                    "INSERT INTO docs SELECT g, 0, " + BIG_TEXT + ", decode(" + BIG_TEXT + ", 'hex'), jsonb_build_object('blob', "
                            + BIG_TEXT + ", 'n', g) FROM generate_series(1, 2) g");
            r.startCapture();
            r.startApplier();
            r.leader("INSERT INTO docs SELECT g, 0, " + BIG_TEXT + ", decode(" + BIG_TEXT + ", 'hex'), jsonb_build_object('blob', "
                            + BIG_TEXT + ", 'n', g) FROM generate_series(3, 6) g",
                    "UPDATE docs SET id = id + 100 WHERE id IN (1, 3)",
                    "UPDATE docs SET id = 20, counter = 7 WHERE id = 2",
                    "UPDATE docs SET id = 40, body = 'small now' WHERE id = 4",
                    "BEGIN; UPDATE docs SET id = 50 WHERE id = 5; UPDATE docs SET counter = counter + 1 WHERE id = 50; "
                            + "UPDATE docs SET id = 60, counter = 2 WHERE id = 50; COMMIT",
                    "UPDATE docs SET id = -id WHERE id IN (6, 103)",
                    // The old keys again, for new rows: they must not meet the moved ones.
                    "INSERT INTO docs VALUES (1, 9, 'new one', '\\x01', '{}'), (3, 9, NULL, NULL, NULL)");
            r.awaitFollowerMatchesLeader();
            assertEquals(TableContents.of(r.leaderUrl(), "docs", "id"), TableContents.of(r.followerUrl(), "docs", "id"));
            assertEquals(6L, Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM docs WHERE length(data) > 1000000"));
            assertEquals(0L, Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM replog.moved_rows"), "every hand-over taken");
            assertTrue(KeyMovesInTheLog.crossPartitions(r, r.topics().forTable(DOCS)) > 0,
                    "some key moved between partitions, so a create waited for its delete");
        }
    }

    @Test
    void primaryKeyUpdateKeepsUntouchedToastedValuesInRowMode() throws Exception {
        moveKeysAroundLargeValues(ApplyMode.ROW);
    }

    @Test
    void primaryKeyUpdateKeepsUntouchedToastedValuesInTransactionalMode() throws Exception {
        moveKeysAroundLargeValues(ApplyMode.TRANSACTIONAL);
    }

    @Test
    void followerKeepsToastedValuesThatAnUpdateDoesNotTouch() throws Exception {
        updateAroundLargeValues(false);
    }

    @Test
    void followerKeepsToastedValuesWithReplicaIdentityFull() throws Exception {
        updateAroundLargeValues(true);
    }
}
