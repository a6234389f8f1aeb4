package dev.replog.cli.e2e;

import dev.replog.schemas.TableId;
import dev.replog.testkit.TableContents;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Names with upper case, spaces, quotes, dots, unicode and reserved words replicate like any other.
 * (Debezium 3.6's snapshot query does not escape '"' in any name, nor '.' in table names: such
 * tables are refused at capture start.)
 */
class IdentifierTest {

    private static final TableId TORTURE = new TableId("Weird Schema", "Select Ünï 🚀");
    private static final String QUOTED = "\"Weird Schema\".\"Select Ünï 🚀\"";

    @Test
    void tableAndColumnNamesThatNeedQuotingReplicateIncludingSchemaChanges() throws Exception {
        try (Replication r = new Replication("identifiers", 2, List.of(TORTURE))) {
            r.leader("CREATE SCHEMA \"Weird Schema\"",
                    "CREATE TABLE " + QUOTED + " (\"select\" int, \"Ünïcødé 🚀\" text DEFAULT 'ü', \"a.b\" numeric(5,1), "
                            + "\"MixedCase\" varchar(10) CHECK (\"MixedCase\" <> 'bad'), \"it's\" int, "
                            + "PRIMARY KEY (\"select\", \"a.b\"))",
                    "INSERT INTO " + QUOTED + " VALUES (1, 'eins', 1.5, 'One', 1), (2, NULL, 2.5, NULL, NULL)");
            r.startCapture();
            r.startApplier();
            r.awaitFollowerMatchesLeader();
            r.leader("UPDATE " + QUOTED + " SET \"Ünïcødé 🚀\" = '🚀🚀', \"it's\" = 7 WHERE \"select\" = 2",
                    "DELETE FROM " + QUOTED + " WHERE \"select\" = 1",
                    "ALTER TABLE " + QUOTED + " ADD COLUMN \"new \"\"col\"\"\" text DEFAULT 'x''y'",
                    "ALTER TABLE " + QUOTED + " RENAME COLUMN \"it's\" TO \"it.is\"",
                    "INSERT INTO " + QUOTED + " VALUES (3, 'drei', 3.5, 'Three', 3, 'z')");
            r.awaitFollowerMatchesLeader();
            TableDefinitions.assertSame(r, QUOTED);
            assertEquals(TableContents.of(r.leaderUrl(), QUOTED, "\"select\""), TableContents.of(r.followerUrl(), QUOTED, "\"select\""));
        }
    }
}
