package dev.replog.cli;

import dev.replog.applier.FollowerConnection;
import dev.replog.applier.verify.TableChecksum;
import dev.replog.applier.verify.TableVerification;
import dev.replog.applier.verify.VerifiedTables;
import dev.replog.applier.verify.Verifier;
import dev.replog.applier.verify.VerifyOptions;
import dev.replog.capture.LeaderConnection;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ConfigKeys;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.cli.config.Settings;
import dev.replog.cli.progress.Progress;
import dev.replog.schemas.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code replog verify --config FILE}: compares every captured table (or those of {@code --table})
 * on leader and follower, while replication runs, and with {@code --repair} copies the rows found
 * different from the leader ({@link Verifier}; docs/verify.md).
 */
@Command(name = "verify", sortOptions = false,
        description = {"Compare leader and follower table by table: per primary-key range of verify.chunk.rows rows, "
                + "verify.parallelism ranges at once, row count and checksum computed inside each database. A range that differs "
                + "is narrowed to its rows and re-checked once the follower has applied the leader's position of the check "
                + "(for up to verify.recheck.timeout.ms), so it can run while replication goes on; with --repair the rows "
                + "still different are copied from the leader, beside a running applier. See docs/verify.md.",
            "Exit code: 0 if every table matches (with --repair: or was repaired), 1 if not, 2 for a bad configuration or option."})
final class VerifyCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(VerifyCommand.class);

    @Option(names = "--config", required = true, description = "Configuration file with leader, follower and capture.tables.")
    Path config;

    @Option(names = "--table", paramLabel = "TABLE", description = "Compare only these tables (schema.table, patterns "
            + "such as public.* allowed), instead of capture.tables; repeatable or separated by commas.")
    List<String> tables = new ArrayList<>();

    @Option(names = "--repair", description = "Copy the leader's version of every row found different to the follower "
            + "(inserted, updated or deleted there), safely beside a running applier; reports what it wrote per table.")
    boolean repair;

    @Option(names = "--json", description = "Print one JSON document (schema in docs/verify.md) instead of a line per table.")
    boolean json;

    @Option(names = "--no-progress", description = "No progress bar on a terminal: progress as a log line every few seconds.")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ReplogConfig c = ReplogConfig.load(config, Set.of(ConfigKey.Scope.CAPTURE, ConfigKey.Scope.APPLY, ConfigKey.Scope.VERIFY));
        VerifyOptions options = Settings.verify(c, repair);
        LeaderConnection leader = Settings.leader(c);
        FollowerConnection follower = Settings.follower(c);
        List<TableId> entries = tables.isEmpty() ? c.tables(ConfigKeys.CAPTURE_TABLES) : tableOption();
        try (Verifier verifier = new Verifier(leader::open, () -> follower.open("replog-verify"), options)) {
            return run(verifier, options, entries, Progress.forConsole(noProgress)) ? 0 : 1;
        } catch (SQLException e) {
            // A database that went away or refused a statement: one line, no stack trace.
            System.err.println("replog: error: verify stopped: " + e.getMessage());
            return 1;
        }
    }

    private List<TableId> tableOption() {
        List<TableId> out = new ArrayList<>();
        for (String t : tables) {
            try {
                out.addAll(TableId.parseList(t));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--table: " + e.getMessage());
            }
        }
        return out;
    }

    /** Compares (and repairs) every table; prints a line per table as each ends, or the JSON document at the end. */
    private boolean run(Verifier verifier, VerifyOptions options, List<TableId> entries, Progress progress) throws Exception {
        if (!verifier.online() && !options.recheck().isZero()) {
            log.warn("the follower reports no applied LSN (replog.applied_lsn()): differences are reported as found, "
                    + "not re-checked, so run verify while the leader is quiet");
        }
        List<TableId> found = VerifiedTables.expand(verifier.leader(), verifier.follower(), entries);
        if (found.isEmpty()) {
            String problem = "tables " + entries + " match no table on the leader or the follower";
            System.out.println(json ? VerifyJson.noTables(problem, verifier.online(), repair) : "MISMATCH  " + problem);
            return false;
        }
        List<TableVerification> results = new ArrayList<>();
        for (TableId t : found) {
            progress.start("verify " + dev.replog.schemas.SqlIdentifiers.quote(t), TableChecksum.estimatedRows(verifier.leader(), t), "rows");
            TableVerification r;
            try {
                r = verifier.verify(t, progress::advance);
            } finally {
                progress.finish();
            }
            results.add(r);
            if (!json) {
                System.out.println(r.describe());
            }
        }
        boolean equal = results.stream().allMatch(r -> r.verdict() != TableVerification.Verdict.MISMATCH);
        if (json) {
            System.out.println(VerifyJson.of(results, equal, verifier.online(), repair));
        }
        return equal;
    }
}
