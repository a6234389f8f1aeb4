package dev.replog.cli;

import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplierSettings;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.cli.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/** {@code replog apply --config FILE}: the replication log to a follower, until stopped. */
@Command(name = "apply", description = "Apply the replication log to a follower PostgreSQL until stopped.")
final class ApplyCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ApplyCommand.class);

    @Option(names = "--config", required = true, description = "Configuration file (Java properties).")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        ReplogConfig c = ReplogConfig.load(config, Set.of(ConfigKey.Scope.APPLY));
        log.info("apply configuration:\n{}", c.describe());
        ApplierSettings settings = Settings.applier(c);
        Duration timeout = Settings.startupTimeout(c);
        Reachability.awaitFollower(settings.follower(), timeout);
        Reachability.awaitKafka(settings.kafka(), timeout);
        ApplierService applier = ApplierService.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(applier::close, "replog-apply-shutdown"));
        try {
            applier.stopped().get();
            return 0;
        } catch (ExecutionException e) {
            return 1; // the applier logged its one ERROR line when it stopped
        }
    }
}
