package dev.replog.cli;

import dev.replog.cli.config.ConfigException;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ConfigKeys;
import dev.replog.cli.config.FollowerList;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.schemas.Lsn;
import dev.replog.serve.client.FollowerAwait;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code replog await --lsn L --followers N}: semi-synchronous writes. Returns once N of the followers
 * in {@code await.followers} have applied every leader transaction committed at or before L.
 */
@Command(name = "await", description = "Wait until N followers (SQL followers and serve groups of await.followers) have "
        + "applied a leader LSN. Exit code: 0 applied, 3 timed out (each follower's LSN printed), 1 error, 2 bad configuration.")
final class AwaitCommand implements Callable<Integer> {

    static final int TIMED_OUT = 3;

    @Option(names = "--config", required = true, description = "Configuration file with await.followers.")
    Path config;

    @Option(names = "--lsn", required = true, description = "Leader LSN, e.g. SELECT pg_current_wal_lsn() after the commit.")
    String lsn;

    @Option(names = "--followers", defaultValue = "1", description = "How many followers must have applied it (default 1).")
    int followers;

    @Option(names = "--timeout", defaultValue = "30", description = "Seconds to wait at most (default 30).")
    long timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        ReplogConfig c = ReplogConfig.load(config, Set.of(ConfigKey.Scope.AWAIT));
        Lsn target;
        try {
            target = Lsn.parse(lsn);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--lsn '" + lsn + "' is not an LSN (X/Y, as pg_current_wal_lsn() prints it)");
        }
        List<FollowerAwait.Follower> all = followers(c);
        if (followers < 1 || followers > all.size()) {
            throw new ConfigException("--followers " + followers + ": 'await.followers' lists " + all.size() + " follower(s)");
        }
        try {
            FollowerAwait.Outcome o = FollowerAwait.await(all, target, followers, Duration.ofSeconds(timeoutSeconds));
            for (Map.Entry<String, Lsn> e : o.applied().entrySet()) {
                System.out.println((e.getValue() != null && e.getValue().compareTo(target) >= 0 ? "APPLIED  " : "BEHIND   ")
                        + e.getKey() + " at " + (e.getValue() == null ? "(none yet)" : e.getValue()));
            }
            o.problems().forEach((name, problem) -> System.out.println("UNKNOWN  " + name + ": " + problem));
            return o.reached() ? 0 : TIMED_OUT;
        } finally {
            all.forEach(FollowerAwait.Follower::close);
        }
    }

    private static List<FollowerAwait.Follower> followers(ReplogConfig c) {
        List<FollowerAwait.Follower> all = new ArrayList<>();
        for (FollowerList.Entry e : FollowerList.parse(c, ConfigKeys.AWAIT_FOLLOWERS)) {
            all.add(e instanceof FollowerList.SqlFollower sql ? FollowerAwait.sql(sql.jdbcUrl(), null, null)
                    : FollowerAwait.serveGroup(((FollowerList.ServeGroup) e).instances()));
        }
        return all;
    }
}
