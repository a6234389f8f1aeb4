package dev.replog.cli;

import dev.replog.capture.CaptureService;
import dev.replog.capture.CaptureSettings;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ConfigKeys;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.cli.config.Settings;
import dev.replog.cli.progress.CopyDisplay;
import dev.replog.cli.progress.Progress;
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
import java.util.concurrent.CountDownLatch;

/** {@code replog capture --config FILE}: leader WAL to the replication log, until stopped. */
@Command(name = "capture", description = "Capture the leader's changes into Kafka until stopped.")
final class CaptureCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(CaptureCommand.class);

    @Option(names = "--config", required = true, description = "Configuration file (Java properties).")
    Path config;

    @Option(names = "--no-progress", description = "Copies (the initial snapshot, tables added later, resnapshots) as a "
            + "log line every few seconds instead of a progress bar on a terminal.")
    boolean noProgress;

    @Override
    public Integer call() throws InterruptedException {
        ReplogConfig c = ReplogConfig.load(config, Set.of(ConfigKey.Scope.CAPTURE));
        log.info("capture configuration:\n{}", c.describe());
        CaptureSettings settings = Settings.capture(c);
        Duration timeout = Settings.startupTimeout(c);
        try (ServiceMetrics metrics = ServiceMetrics.prometheus("capture");
             OpsEndpoint endpoint = ServiceEndpoint.open(c, ConfigKeys.CAPTURE_HTTP_LISTEN, metrics)) {
            endpoint.ready(() -> Health.down("waiting for the leader and Kafka"));
            Reachability.awaitLeader(settings.leader(), timeout);
            Reachability.awaitKafka(settings.kafka(), timeout);
            CaptureService capture = CaptureService.start(settings, new CaptureTablesFile(config, c), metrics);
            endpoint.live(capture::liveness);
            endpoint.ready(capture::readiness);
            CopyDisplay copies = CopyDisplay.start(settings.leader(), settings.slotName(), Progress.forConsole(noProgress));
            CountDownLatch done = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                copies.close();
                capture.close();
                done.countDown();
            }, "replog-capture-shutdown"));
            done.await();
            return 0;
        }
    }
}
