package dev.replog.applier.follower;

import com.zaxxer.hikari.HikariDataSource;
import dev.replog.applier.FollowerConnection;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.Column;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.Operation;
import dev.replog.schemas.PgType;
import dev.replog.schemas.Row;
import dev.replog.schemas.RowChange;
import dev.replog.schemas.SourcePosition;
import dev.replog.schemas.TableId;
import dev.replog.schemas.TableSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A batch that changes one key several times leaves the key as its last change says, in one multi-row statement. */
public class FollowerWriterTest {

    @TempDir
    static Path dir;
    private static PostgresServer follower;

    @BeforeAll
    static void start() {
        follower = PostgresServer.start("writer", dir);
    }

    @AfterAll
    static void stop() {
        follower.close();
    }

    private static final TableId TABLE = new TableId("public", "accounts");
    private static final TableSchema SCHEMA = new TableSchema(
            List.of(new Column("id", PgType.of("int4"), false), new Column("balance", PgType.of("int4"), true)), List.of("id"));

    private static RowChange change(Operation op, int id, Integer balance) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("id", Integer.toString(id));
        values.put("balance", balance == null ? null : Integer.toString(balance));
        Row row = new Row(values);
        SourcePosition at = new SourcePosition(new Lsn(1), 1, Instant.EPOCH, false);
        return new RowChange(TABLE, op, SCHEMA, op == Operation.CREATE ? null : row, op == Operation.DELETE ? null : row, at);
    }

    @Test
    void repeatedKeysInOneBatchEndAsTheirLastChange() throws Exception {
        // The applier's own pool: pgjdbc rewrites the batch into multi-row statements.
        FollowerConnection pool = new FollowerConnection(follower.jdbcUrl(), follower.user(), follower.password(), "disable", 1);
        try (HikariDataSource ds = pool.openPool("writer-test"); Connection c = ds.getConnection()) {
            FollowerTables tables = new FollowerTables();
            try (FollowerWriter w = new FollowerWriter(c, tables, true)) {
                w.apply(change(Operation.CREATE, 1, 10));
                w.apply(change(Operation.CREATE, 2, 20));
                w.apply(change(Operation.UPDATE, 1, 11));
                w.apply(change(Operation.UPDATE, 1, 12));
                w.apply(change(Operation.DELETE, 2, null));
                w.apply(change(Operation.DELETE, 2, null));
                w.apply(change(Operation.CREATE, 2, 21));
                w.apply(change(Operation.UPDATE, 2, 22));
                w.apply(change(Operation.UPDATE, 1, 13));
                w.apply(change(Operation.CREATE, 3, 30));
                w.apply(change(Operation.DELETE, 3, null));
                w.flush();
            }
            c.commit();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, balance FROM accounts ORDER BY id")) {
                Map<Integer, Integer> rows = new LinkedHashMap<>();
                while (rs.next()) {
                    rows.put(rs.getInt(1), rs.getInt(2));
                }
                assertEquals(Map.of(1, 13, 2, 22), rows);
            }
        }
    }

    @Test
    void aLongRunOfChangesIsSentToTheFollowerInChunksInsideTheOpenTransaction() throws Exception {
        TableId table = new TableId("public", "chunked");
        FollowerConnection pool = new FollowerConnection(follower.jdbcUrl(), follower.user(), follower.password(), "disable", 1);
        try (HikariDataSource ds = pool.openPool("writer-chunks"); Connection c = ds.getConnection()) {
            try (FollowerWriter w = new FollowerWriter(c, new FollowerTables(), true)) {
                int rows = FollowerWriter.CHUNK_ROWS * 2 + FollowerWriter.CHUNK_ROWS / 2;
                for (int id = 1; id <= rows; id++) {
                    RowChange ch = change(Operation.CREATE, id, id);
                    w.apply(new RowChange(table, ch.op(), ch.schema(), ch.before(), ch.after(), ch.source()));
                }
                // Two whole chunks are already on the follower (uncommitted, seen by this transaction
                // only); the rest waits for the flush. Nothing grows with the size of the transaction.
                assertEquals(FollowerWriter.CHUNK_ROWS * 2, count(c, "chunked"));
                w.flush();
                assertEquals(rows, count(c, "chunked"));
            }
            c.rollback();
        }
    }

    private static long count(Connection c, String table) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
