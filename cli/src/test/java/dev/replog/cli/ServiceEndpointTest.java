package dev.replog.cli;

import dev.replog.cli.config.ConfigException;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ConfigKeys;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.metrics.OpsEndpoint;
import dev.replog.metrics.ServiceMetrics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** capture.http.listen and apply.http.listen: where a metrics and health endpoint may listen, and what a wrong one says. */
class ServiceEndpointTest {

    private static ReplogConfig config(ConfigKey key, String value) {
        return ReplogConfig.of(Map.of(key.name(), value), Set.of());
    }

    private static String refused(ConfigKey key, String value) {
        try (ServiceMetrics metrics = ServiceMetrics.none()) {
            return assertThrows(ConfigException.class, () -> ServiceEndpoint.open(config(key, value), key, metrics).close())
                    .getMessage();
        }
    }

    @Test
    void aWildcardAddressIsRefusedNamingTheKey() {
        String m = refused(ConfigKeys.CAPTURE_HTTP_LISTEN, "0.0.0.0:9401");
        assertTrue(m.startsWith("config key 'capture.http.listen' is '0.0.0.0:9401' but a wildcard address"), m);
        assertTrue(refused(ConfigKeys.APPLY_HTTP_LISTEN, "[::]:9402").contains("wildcard"));
        assertTrue(refused(ConfigKeys.APPLY_HTTP_LISTEN, ":9402").contains("must be host:port"));
    }

    @Test
    void anAddressOfAnotherMachineIsRefused() {
        String m = refused(ConfigKeys.APPLY_HTTP_LISTEN, "192.0.2.7:9402"); // TEST-NET-1: never a local address
        assertTrue(m.contains("'apply.http.listen'") && m.contains("192.0.2.7 is not an address of this machine"), m);
    }

    @Test
    void aTakenPortIsAConfigurationErrorNamingTheKey() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String value = "127.0.0.1:" + taken.getLocalPort();
            String m = refused(ConfigKeys.APPLY_HTTP_LISTEN, value);
            assertTrue(m.startsWith("config key 'apply.http.listen' is '" + value + "' but that address cannot be bound"), m);
        }
    }

    @Test
    void portZeroListensOnAFreeLoopbackPort() {
        try (ServiceMetrics metrics = ServiceMetrics.none();
             OpsEndpoint e = ServiceEndpoint.open(config(ConfigKeys.CAPTURE_HTTP_LISTEN, "localhost:0"),
                     ConfigKeys.CAPTURE_HTTP_LISTEN, metrics)) {
            assertTrue(e.port() > 0);
        }
    }
}
