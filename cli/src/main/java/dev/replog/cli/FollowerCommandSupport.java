package dev.replog.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyException;
import dev.replog.applier.FollowerConnection;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.cli.config.Settings;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/** What the operator commands on a follower's poison events share: the apply configuration, one connection. */
final class FollowerCommandSupport {

    /** Work on one follower connection (auto-commit off, values bound untyped as the applier binds them). */
    interface FollowerWork<T> {
        T run(Connection c) throws SQLException;
    }

    private FollowerCommandSupport() {
    }

    static ApplierSettings settings(Path config) {
        return Settings.applier(ReplogConfig.load(config, Set.of(ConfigKey.Scope.APPLY)));
    }

    /** Runs the work; a follower that is unreachable or refuses becomes one error line naming it. */
    static <T> T onFollower(ApplierSettings s, FollowerWork<T> work) {
        FollowerConnection f = s.follower();
        try (HikariDataSource pool = f.withPoolSize(1).openPool("replog-cli");
             Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException | RuntimeException e) {
            throw new ApplyException("follower " + f + ": " + e.getMessage(), e);
        }
    }
}
