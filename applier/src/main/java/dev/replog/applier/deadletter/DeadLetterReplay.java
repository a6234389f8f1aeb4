package dev.replog.applier.deadletter;

import dev.replog.applier.follower.FollowerTables;
import dev.replog.applier.follower.FollowerWriter;
import dev.replog.applier.follower.SqlErrors;
import dev.replog.schemas.ChangeEvent;
import dev.replog.schemas.RowChange;
import dev.replog.schemas.Truncate;
import dev.replog.schemas.compact.LogDecoder;
import dev.replog.schemas.compact.SchemaLookup;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies skipped events from {@code replog.dead_letters} to the follower once the cause is fixed,
 * oldest first, each in its own transaction that also removes it from the dead letters. An event
 * that still fails stays there with nothing of it applied.
 */
public final class DeadLetterReplay {

    /** One event's outcome: {@code error} is null if it was applied. */
    public record Result(PoisonEvent event, String error) {
        public boolean replayed() {
            return error == null;
        }
    }

    private final LogDecoder decoder;
    private final FollowerTables tables = new FollowerTables();

    /** @param schemas the log's schemas, for events of the compact format */
    public DeadLetterReplay(SchemaLookup schemas) {
        this.decoder = new LogDecoder(schemas);
    }

    /**
     * @param c      a connection from {@link FollowerConnection#openPool}: values are bound untyped
     * @param topic  only this topic's dead letters, or all if null
     * @param offset only the one at this offset, or all if null
     */
    public List<Result> replay(Connection c, String topic, Long offset) throws SQLException {
        List<Result> results = new ArrayList<>();
        for (PoisonEvent e : DeadLetterStore.list(c, topic, offset)) {
            try (FollowerWriter writer = new FollowerWriter(c, tables, false)) {
                if (e.value() != null) {
                    apply(writer, decoder.decode(e.key(), e.value()));
                }
                DeadLetterStore.delete(c, e);
                c.commit();
                results.add(new Result(e, null));
            } catch (SQLException | RuntimeException x) {
                c.rollback();
                tables.reset();
                results.add(new Result(e, SqlErrors.describe(x)));
            }
        }
        return results;
    }

    private static void apply(FollowerWriter writer, ChangeEvent event) throws SQLException {
        if (event instanceof RowChange change) {
            writer.apply(change);
        } else if (event instanceof Truncate truncate) {
            // The other partitions' copies of this truncate were applied when it was skipped.
            writer.truncate(truncate.table());
        }
    }
}
