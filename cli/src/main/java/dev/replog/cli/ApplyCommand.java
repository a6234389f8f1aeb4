package dev.replog.cli;

import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyMonitor;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ConfigKeys;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.cli.config.Settings;
import dev.replog.metrics.Health;
import dev.replog.metrics.OpsEndpoint;
import dev.replog.metrics.ServiceMetrics;
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
        try (ServiceMetrics metrics = ServiceMetrics.prometheus("apply");
             OpsEndpoint endpoint = ServiceEndpoint.open(c, ConfigKeys.APPLY_HTTP_LISTEN, metrics)) {
            endpoint.ready(() -> Health.down("waiting for the follower and Kafka"));
            Reachability.awaitFollower(settings.follower(), timeout);
            Reachability.awaitKafka(settings.kafka(), timeout);
            try (ApplyMonitor monitor = ApplyMonitor.start(settings, metrics)) {
                ApplierService applier = ApplierService.start(settings, metrics);
                endpoint.live(applier::liveness);
                endpoint.ready(() -> monitor.readiness(applier));
                Runtime.getRuntime().addShutdownHook(new Thread(applier::close, "replog-apply-shutdown"));
                applier.stopped().get();
                return 0;
            } catch (ExecutionException e) {
                return 1; // the applier logged its one ERROR line when it stopped
            }
        }
    }
}
