package dev.replog.cli;

import dev.replog.applier.FollowerConnection;
import dev.replog.applier.verify.TableComparison;
import dev.replog.applier.verify.VerifiedTables;
import dev.replog.capture.LeaderConnection;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ConfigKeys;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.cli.config.Settings;
import dev.replog.schemas.TableId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code replog verify --config FILE}: compares every captured table on leader and follower, the
 * tables of a capture pattern included, chunk by chunk of primary-key ranges ({@link TableComparison}).
 */
@Command(name = "verify", description = "Compare leader and follower table by table (row count and content checksum, "
        + "per primary-key range of verify.chunk.rows rows); exit code 0 only if every table matches.")
final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "Configuration file with leader, follower and capture.tables.")
    Path config;

    @Override
    public Integer call() throws SQLException {
        ReplogConfig c = ReplogConfig.load(config, Set.of(ConfigKey.Scope.CAPTURE, ConfigKey.Scope.APPLY, ConfigKey.Scope.VERIFY));
        int chunkRows = Settings.verifyChunkRows(c);
        LeaderConnection leader = Settings.leader(c);
        FollowerConnection follower = Settings.follower(c);
        List<TableId> tables = c.tables(ConfigKeys.CAPTURE_TABLES);
        try (Connection l = leader.open(); Connection f = follower.open("replog-verify")) {
            return report(l, f, tables, chunkRows) ? 0 : 1;
        }
    }

    /**
     * Prints one verdict line per table, as each is compared; true if every table matches. Patterns
     * in {@code entries} are expanded against both catalogs.
     */
    static boolean report(Connection leader, Connection follower, List<TableId> entries, int chunkRows) throws SQLException {
        // Each chunk is a primary-key range: an index range scan, even on a table not yet analyzed.
        for (Connection c : List.of(leader, follower)) {
            try (Statement s = c.createStatement()) {
                s.execute("SET enable_seqscan = off");
            }
        }
        boolean all = true;
        List<TableId> tables = VerifiedTables.expand(leader, follower, entries);
        if (tables.isEmpty()) {
            System.out.println("MISMATCH  capture.tables " + entries + " matches no table on the leader or the follower");
            return false;
        }
        for (TableId t : tables) {
            TableComparison cmp = TableComparison.compare(leader, follower, t, chunkRows);
            System.out.println(cmp.describe());
            all &= cmp.matches();
        }
        return all;
    }
}
