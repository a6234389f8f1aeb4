package dev.replog.cli.e2e;

import dev.replog.schemas.TableId;
import dev.replog.testkit.Sql;
import dev.replog.testkit.TableContents;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
            if (replicaIdentityFull) {
                // Only a full replica identity puts the values of a key-changing update in the log.
                r.leader("UPDATE docs SET id = id + 100 WHERE id = 3");
            }
            r.awaitFollowerMatchesLeader();
            assertEquals(TableContents.of(r.leaderUrl(), "docs", "id"), TableContents.of(r.followerUrl(), "docs", "id"));
            assertEquals(0L, Sql.queryForLong(r.followerUrl(), """
                    SELECT count(*) FROM docs WHERE body LIKE '%__debezium_unavailable_value%'
                        OR position('__debezium_unavailable_value'::bytea IN data) > 0
                        OR doc::text LIKE '%__debezium_unavailable_value%'"""));
            assertEquals(3L, Sql.queryForLong(r.followerUrl(), "SELECT count(*) FROM docs WHERE length(body) > 2000000"));
        }
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
