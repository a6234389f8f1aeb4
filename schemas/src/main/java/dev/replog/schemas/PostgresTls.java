package dev.replog.schemas;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one side (leader or follower) talks TLS to PostgreSQL, in pgjdbc's terms. Every connection
 * Replog opens to that side, and Debezium's, takes these same settings, so a side is either
 * secured everywhere or nowhere.
 *
 * @param sslMode     disable, allow, prefer, require, verify-ca or verify-full
 * @param rootCert    file of the CA certificate(s) the server's certificate must chain to; empty: pgjdbc's default
 * @param cert        the client certificate file (PEM or DER); empty: none
 * @param key         the client key file: PKCS-8 DER (encrypted or not), PEM, or PKCS-12 (.p12/.pfx); empty: none
 * @param keyPassword the key's password; empty if it is not encrypted. Never printed.
 */
public record PostgresTls(String sslMode, String rootCert, String cert, String key, String keyPassword) {

    public PostgresTls {
        rootCert = rootCert == null ? "" : rootCert;
        cert = cert == null ? "" : cert;
        key = key == null ? "" : key;
        keyPassword = keyPassword == null ? "" : keyPassword;
    }

    /** Only an sslmode, pgjdbc's defaults for the rest. */
    public static PostgresTls mode(String sslMode) {
        return new PostgresTls(sslMode, "", "", "", "");
    }

    /** pgjdbc's connection properties for these settings: sslmode, and each file and password that is set. */
    public Map<String, String> jdbcProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("sslmode", sslMode);
        putIfSet(p, "sslrootcert", rootCert);
        putIfSet(p, "sslcert", cert);
        putIfSet(p, "sslkey", key);
        putIfSet(p, "sslpassword", keyPassword);
        return p;
    }

    private static void putIfSet(Map<String, String> p, String name, String value) {
        if (!value.isEmpty()) {
            p.put(name, value);
        }
    }

    /** For logs and errors: the files, never the password. */
    @Override
    public String toString() {
        return "sslmode=" + sslMode + (rootCert.isEmpty() ? "" : " sslrootcert=" + rootCert)
                + (cert.isEmpty() ? "" : " sslcert=" + cert) + (key.isEmpty() ? "" : " sslkey=" + key)
                + (keyPassword.isEmpty() ? "" : " sslpassword=***");
    }
}
