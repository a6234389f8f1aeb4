package dev.replog.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.replog.applier.ApplierSettings;
import dev.replog.applier.FollowerConnection;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.cli.config.Settings;

import java.nio.file.Path;
import java.util.Set;

/** What the operator commands on a follower's poison events share: the apply configuration. */
final class FollowerCommandSupport {

    private FollowerCommandSupport() {
    }

    static ApplierSettings settings(Path config) {
        return Settings.applier(ReplogConfig.load(config, Set.of(ConfigKey.Scope.APPLY)));
    }

    /** A one-connection pool with the applier's connection settings (values bound untyped). */
    static HikariDataSource pool(ApplierSettings s) {
        return new FollowerConnection(s.follower().jdbcUrl(), s.follower().user(),
                s.follower().password(), s.follower().sslMode(), 1).openPool("replog-cli");
    }
}
