package dev.replog.cli;

import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplierSettings;
import dev.replog.applier.rebuild.FollowerRebuild;
import dev.replog.cli.config.ConfigException;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.cli.config.Settings;
import dev.replog.cli.progress.Progress;
import dev.replog.cli.progress.RebuildDisplay;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/** {@code replog follower rebuild}: builds an empty or damaged follower from the log, then follows it or stops at a point. */
@Command(name = "rebuild", description = {
        "Rebuild a follower from the replication log alone (no load on the leader): drop its tables (or those of "
                + "--tables), replay the log from its start and go on following it live, like `replog apply`.",
        "With --to-lsn or --to-time, build the leader's state after the last transaction committed at or before that "
                + "point and stop there; no applier follows such a copy afterwards.",
        "On a log that keeps a window (capture.refresh.interval.ms), a rebuild starts each table at its newest complete "
                + "copy recorded in <prefix>.copies; a transactional or point-in-time one replays the copies in row mode up "
                + "to a watermark after all of them, then goes on in transactional mode (points after every table's copy; "
                + "--tables in transactional mode needs the whole history).",
        "Refused while an applier of the follower runs. See docs/rebuild.md."})
final class FollowerRebuildCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(FollowerRebuildCommand.class);

    @Option(names = "--config", required = true, description = "Configuration file (Java properties).")
    Path config;

    @Option(names = "--tables", split = ",", paramLabel = "schema.table",
            description = "Rebuild only these tables; default: the whole follower.")
    List<String> tables = List.of();

    @Option(names = "--to-lsn", paramLabel = "LSN", description = "Rebuild as of this leader LSN (X/Y) and stop there.")
    String toLsn;

    @Option(names = "--to-time", paramLabel = "INSTANT",
            description = "Rebuild as of the last leader transaction committed at or before this ISO-8601 instant "
                    + "(2026-12-06T12:00:00Z) and stop there.")
    String toTime;

    @Option(names = "--no-follow", description = "Stop once rebuilt instead of following the log; `replog apply` "
            + "continues from the stored positions.")
    boolean noFollow;

    @Option(names = "--no-progress", description = "No progress bar on a terminal: progress as a log line every few seconds.")
    boolean noProgress;

    @Override
    public Integer call() throws InterruptedException {
        ReplogConfig c = ReplogConfig.load(config, Set.of(ConfigKey.Scope.APPLY));
        ApplierSettings settings = Settings.applier(c);
        if (toLsn != null && toTime != null) {
            throw new ConfigException("--to-lsn and --to-time exclude each other");
        }
        FollowerRebuild.Request request = new FollowerRebuild.Request(tables.stream().map(TableId::parse).toList(),
                lsn(), instant(), !noFollow);
        Duration timeout = Settings.startupTimeout(c);
        Reachability.awaitFollower(settings.follower(), timeout);
        Reachability.awaitKafka(settings.kafka(), timeout);
        RebuildDisplay display = new RebuildDisplay(Progress.forConsole(noProgress));
        ApplierService applier;
        try {
            applier = new FollowerRebuild(settings, request, display, System.out).run();
        } finally {
            display.finish();
        }
        if (applier == null) {
            return 0;
        }
        log.info("rebuilt follower {} follows the log", settings.follower());
        Runtime.getRuntime().addShutdownHook(new Thread(applier::close, "replog-apply-shutdown"));
        try {
            applier.stopped().get();
            return 0;
        } catch (ExecutionException e) {
            return 1; // the applier logged its one ERROR line when it stopped
        }
    }

    private Lsn lsn() {
        try {
            return toLsn == null ? null : Lsn.parse(toLsn);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--to-lsn '" + toLsn + "' is not an LSN (X/Y, e.g. 0/16B3F20)");
        }
    }

    private Instant instant() {
        try {
            return toTime == null ? null : Instant.parse(toTime);
        } catch (DateTimeParseException e) {
            throw new ConfigException("--to-time '" + toTime + "' is not an ISO-8601 instant (e.g. 2026-12-06T12:00:00Z)");
        }
    }
}
