package dev.replog.embedded;

import java.nio.file.Path;

/**
 * What a {@link PostgresServer} started with it requires: TLS on every TCP connection
 * ({@code hostssl} only, plaintext refused), the client's certificate signed by {@code caCert},
 * and for every user but the superuser the given authentication.
 *
 * @param caCert         PEM certificate of the authority client certificates must chain to
 * @param serverCert     the server's PEM certificate (for 127.0.0.1)
 * @param serverKey      its unencrypted PEM key (mode 0600)
 * @param superuserCert  PEM client certificate for the superuser {@code postgres}, who authenticates by it alone
 *                       (the server's own administrative connections)
 * @param superuserKey   its key (PEM, or PKCS-8 DER)
 * @param authentication the pg_hba.conf method and options of every other user, e.g. {@code cert} or
 *                       {@code scram-sha-256 clientcert=verify-full}
 */
public record PostgresServerTls(Path caCert, Path serverCert, Path serverKey, Path superuserCert, Path superuserKey,
                                String authentication) {
}
