package dev.replog.cli.status;

import dev.replog.cli.config.ConfigException;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ConfigKeys;
import dev.replog.cli.config.FollowerList;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.cli.config.Settings;
import dev.replog.capture.LeaderConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code replog status}: every follower's and serve group's state, and capture's, at a glance. */
@Command(name = "status", description = {
        "Show capture's slot and position, and every follower's and serve group's state per table and partition: applied LSN, "
                + "lag in records, WAL bytes and seconds, state (running, caught-up, snapshotting, stopped), dead letters. "
                + "Followers: status.followers, else follower.jdbc.url; capture: with leader.host set. See docs/status.md.",
        "Exit code: 0 all healthy, 3 something is unhealthy (a table stopped or lagging beyond --max-lag-seconds, a follower, "
                + "serve group or the leader unreachable, the slot inactive), 1 error, 2 bad configuration."})
public final class StatusCommand implements Callable<Integer> {

    /** Exit code when the report names a problem. */
    public static final int UNHEALTHY = 3;

    @Option(names = "--config", required = true, description = "Configuration file (Java properties).")
    Path config;

    @Option(names = "--json", description = "Print the report as JSON (schema version 1, docs/status.md).")
    boolean json;

    @Option(names = "--max-lag-seconds", defaultValue = "60",
            description = "A table (or serve partition) further behind the leader's commit time than this is unhealthy (default 60).")
    double maxLagSeconds;

    @Override
    public Integer call() throws InterruptedException {
        ReplogConfig c = ReplogConfig.load(config, Set.of(ConfigKey.Scope.STATUS));
        if (maxLagSeconds < 0) {
            throw new ConfigException("--max-lag-seconds must not be negative, not " + maxLagSeconds);
        }
        StatusCollector collector = new StatusCollector(Settings.kafka(c), Settings.topics(c), targets(c));
        StatusReport report = collector.collect(maxLagSeconds);
        System.out.print(json ? StatusJson.render(report) + "\n" : StatusTable.render(report));
        return report.healthy() ? 0 : UNHEALTHY;
    }

    static StatusCollector.Targets targets(ReplogConfig c) {
        List<SqlFollowerTarget> followers = new ArrayList<>();
        List<List<String>> groups = new ArrayList<>();
        for (FollowerList.Entry e : FollowerList.parse(c, ConfigKeys.STATUS_FOLLOWERS)) {
            if (e instanceof FollowerList.SqlFollower sql) {
                followers.add(SqlFollowerTarget.url(sql.jdbcUrl()));
            } else {
                groups.add(((FollowerList.ServeGroup) e).instances());
            }
        }
        String followerUrl = c.string(ConfigKeys.FOLLOWER_URL);
        if (followers.isEmpty() && groups.isEmpty() && followerUrl != null) {
            followers.add(SqlFollowerTarget.of(Settings.follower(c)));
        }
        LeaderConnection leader = leader(c);
        if (followers.isEmpty() && groups.isEmpty() && leader == null) {
            throw new ConfigException("nothing to report on: set 'status.followers', 'follower.jdbc.url' or 'leader.host'");
        }
        return new StatusCollector.Targets(leader, c.string(ConfigKeys.CAPTURE_SLOT), c.string(ConfigKeys.CAPTURE_PUBLICATION),
                followers, groups);
    }

    /** The leader if the configuration names one (then its database and user too), else null. */
    private static LeaderConnection leader(ReplogConfig c) {
        if (c.string(ConfigKeys.LEADER_HOST) == null) {
            return null;
        }
        for (ConfigKey k : List.of(ConfigKeys.LEADER_DATABASE, ConfigKeys.LEADER_USER)) {
            if (c.string(k) == null) {
                throw new ConfigException("missing config key '" + k.name() + "' (leader.host is set): " + k.doc());
            }
        }
        return Settings.leader(c);
    }
}
