package dev.replog.bench;

import dev.replog.schemas.TableId;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.replog.schemas.SqlIdentifiers.quote;

/**
 * PostgreSQL's built-in logical replication: a publication of the workload's tables on the leader
 * and a subscription on the follower that connects to the leader over 127.0.0.1. With
 * {@code copy_data} the subscription first copies the tables' existing rows (its initial snapshot),
 * then streams changes. The follower's tables must exist beforehand.
 */
final class NativeReplication implements Replication {

    private final BenchDatabase follower;
    private final String name;

    private NativeReplication(BenchDatabase follower, String name) {
        this.follower = follower;
        this.name = name;
    }

    /** Creates the publication and the subscription; the subscription's workers start asynchronously. */
    static NativeReplication start(BenchDatabase leader, BenchDatabase follower, List<TableId> tables) {
        String name = leader.name();
        String list = tables.stream().map(t -> quote(t)).collect(Collectors.joining(", "));
        try {
            leader.execute("CREATE PUBLICATION " + quote(name) + " FOR TABLE " + list);
            // CREATE SUBSCRIPTION takes no parameters: the connection string is a quoted literal.
            follower.execute("CREATE SUBSCRIPTION " + quote(name) + " CONNECTION " + BenchDatabase.literal(leader.conninfo())
                    + " PUBLICATION " + quote(name) + " WITH (copy_data = true)");
        } catch (SQLException e) {
            throw new BenchFailure("cannot set up native logical replication: " + e.getMessage(), e);
        }
        return new NativeReplication(follower, name);
    }

    @Override
    public ReplicationKind kind() {
        return ReplicationKind.NATIVE;
    }

    @Override
    public void checkAlive() {
        // The subscription's workers are restarted by PostgreSQL itself; nothing to watch here.
    }

    @Override
    public List<MemoryFigure> peakMemory(String workload) {
        return List.of();
    }

    @Override
    public Map<String, Long> processes() {
        // The walsender and the apply worker are backends: counted in the two PostgreSQL servers.
        return Map.of();
    }

    /** Drops the subscription, which also drops its slot on the leader. */
    @Override
    public void close() {
        try {
            follower.execute("DROP SUBSCRIPTION IF EXISTS " + quote(name));
        } catch (SQLException e) {
            throw new BenchFailure("cannot drop subscription " + name + ": " + e.getMessage(), e);
        }
    }
}
