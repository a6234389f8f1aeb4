package dev.replog.cli;

import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.cli.config.Settings;
import dev.replog.metrics.ServiceMetrics;
import dev.replog.serve.ServeService;
import dev.replog.serve.ServeSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

/** {@code replog serve --config FILE}: one instance of a read-replica group, until stopped. */
@Command(name = "serve", description = "Serve read replicas of replicated tables over HTTP (one instance of a serve group) until stopped.")
final class ServeCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--config", required = true, description = "Configuration file (Java properties).")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        ReplogConfig c = ReplogConfig.load(config, Set.of(ConfigKey.Scope.SERVE));
        log.info("serve configuration:\n{}", c.describe());
        ServeSettings settings = Settings.serve(c);
        Reachability.awaitKafka(settings.kafka(), Settings.startupTimeout(c));
        try (ServiceMetrics metrics = ServiceMetrics.prometheus("serve")) {
            ServeService serve = ServeService.start(settings, metrics);
            Runtime.getRuntime().addShutdownHook(new Thread(serve::close, "replog-serve-shutdown"));
            serve.stopped().get();
            return 0;
        } catch (ExecutionException e) {
            return 1; // the service logged its one ERROR line when it stopped
        }
    }
}
