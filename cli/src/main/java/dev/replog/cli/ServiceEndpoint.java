package dev.replog.cli;

import dev.replog.cli.config.ConfigException;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.cli.config.Settings;
import dev.replog.metrics.OpsEndpoint;
import dev.replog.metrics.ServiceMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/** Opens capture's or apply's metrics and health endpoint at its configured address, first thing at start. */
final class ServiceEndpoint {

    private static final Logger log = LoggerFactory.getLogger(ServiceEndpoint.class);

    private ServiceEndpoint() {
    }

    /**
     * @param key {@code capture.http.listen} or {@code apply.http.listen}
     * @throws ConfigException the address is not allowed, or cannot be bound (the port is taken)
     */
    static OpsEndpoint open(ReplogConfig c, ConfigKey key, ServiceMetrics metrics) {
        InetSocketAddress address = Settings.httpListen(c, key);
        try {
            OpsEndpoint endpoint = OpsEndpoint.start(address, metrics);
            log.info("metrics on http://{}:{}/metrics, health on /health/live and /health/ready",
                    address.getAddress().getHostAddress(), endpoint.port());
            return endpoint;
        } catch (BindException e) {
            throw new ConfigException("config key '" + key.name() + "' is '" + c.string(key) + "' but that address cannot be "
                    + "bound (" + e.getMessage() + "): is another process listening on that port?");
        } catch (IOException e) {
            throw new StartupException("cannot listen on " + c.string(key) + " (" + key.name() + "): " + e.getMessage());
        }
    }
}
