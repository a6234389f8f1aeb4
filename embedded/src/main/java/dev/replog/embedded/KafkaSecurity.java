package dev.replog.embedded;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a {@link KafkaBroker} started with it requires: TLS with a client certificate signed by
 * the truststore's authority on every listener (clients', inter-broker and controller), and on
 * the clients' listener SASL/SCRAM-SHA-512 too if {@code scramUsers} has any (SASL_SSL).
 *
 * @param keystore      PKCS-12 keystore with the broker's key and certificate (for 127.0.0.1; it serves as
 *                      the broker's client certificate towards itself too)
 * @param truststore    PKCS-12 truststore with the authority's certificate
 * @param storePassword password of both stores and of the key
 * @param scramUsers    SCRAM-SHA-512 user names and passwords the broker knows from its first start; empty: SSL only
 */
public record KafkaSecurity(Path keystore, Path truststore, String storePassword, Map<String, String> scramUsers) {

    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    public KafkaSecurity {
        scramUsers = Map.copyOf(scramUsers);
    }

    /** The security protocol of the clients' listener. */
    public String clientProtocol() {
        return scramUsers.isEmpty() ? "SSL" : "SASL_SSL";
    }

    /** The broker's TLS settings, as a client (of itself) or as a server. */
    Map<String, String> tlsProperties() {
        return Map.of(
                "ssl.keystore.type", "PKCS12",
                "ssl.keystore.location", keystore.toAbsolutePath().toString(),
                "ssl.keystore.password", storePassword,
                "ssl.key.password", storePassword,
                "ssl.truststore.type", "PKCS12",
                "ssl.truststore.location", truststore.toAbsolutePath().toString(),
                "ssl.truststore.password", storePassword);
    }
}
