package dev.replog.cli.config;

import dev.replog.applier.FollowerConnection;
import dev.replog.capture.LeaderConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static dev.replog.cli.config.ConfigKey.Scope.APPLY;
import static dev.replog.cli.config.ConfigKey.Scope.CAPTURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretsConfigTest {

    private static final String SECRET = "Zq7-leaked-if-you-see-me";
    private static final Map<String, String> ENV = Map.of("REPLOG_PW", SECRET, "EMPTY", "");

    private static Map<String, String> capture() {
        Map<String, String> m = new HashMap<>();
        m.put("kafka.bootstrap.servers", "127.0.0.1:9092");
        m.put("leader.host", "127.0.0.1");
        m.put("leader.database", "app");
        m.put("leader.user", "replicator");
        m.put("capture.tables", "public.orders");
        return m;
    }

    private static Map<String, String> apply() {
        Map<String, String> m = new HashMap<>();
        m.put("kafka.bootstrap.servers", "127.0.0.1:9092");
        m.put("follower.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/app");
        m.put("follower.user", "applier");
        return m;
    }

    private static ReplogConfig load(Map<String, String> m, ConfigKey.Scope scope) {
        return ReplogConfig.of(m, Set.of(scope), new SecretReferences(ENV::get,
                file -> Files.readString(file, StandardCharsets.UTF_8)));
    }

    @Test
    void environmentReferenceIsAWholeValueOrPartOfOne() {
        Map<String, String> m = apply();
        m.put("follower.password", "${env:REPLOG_PW}");
        m.put("follower.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/app?password=${env:REPLOG_PW}&sslmode=require");
        ReplogConfig c = load(m, APPLY);
        assertEquals(SECRET, c.string(ConfigKeys.FOLLOWER_PASSWORD));
        assertEquals("jdbc:postgresql://127.0.0.1:5432/app?password=" + SECRET + "&sslmode=require", c.string(ConfigKeys.FOLLOWER_URL));
        assertFalse(c.describe().contains(SECRET), c.describe());
        assertTrue(c.describe().contains("follower.password = ********"), c.describe());
        assertTrue(c.describe().contains("?password=***&sslmode=require"), c.describe());
    }

    @Test
    void fileReferenceDropsOneTrailingNewlineOnly(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("pw"), SECRET + "\n");
        Path twoLines = Files.writeString(dir.resolve("pw2"), SECRET + "\n\n");
        Path windows = Files.writeString(dir.resolve("pw3"), SECRET + "\r\n");
        Map<String, String> m = capture();
        m.put("leader.password", "${file:" + file + "}");
        m.put("leader.sslpassword", "${file:" + twoLines + "}");
        m.put("kafka.ssl.key.password", "${file:" + windows + "}");
        ReplogConfig c = load(m, CAPTURE);
        assertEquals(SECRET, c.string(ConfigKeys.LEADER_PASSWORD));
        assertEquals(SECRET + "\n", c.string(ConfigKeys.LEADER_SSLPASSWORD));
        assertEquals(SECRET, c.string(ConfigKeys.KAFKA_KEY_PASSWORD));
    }

    @Test
    void doubledDollarIsALiteralReferenceStart() {
        Map<String, String> m = capture();
        m.put("leader.password", "a$${env:REPLOG_PW}b");
        assertEquals("a${env:REPLOG_PW}b", load(m, CAPTURE).string(ConfigKeys.LEADER_PASSWORD));
    }

    @Test
    void unsetVariableIsAConfigErrorNamingKeyAndVariable() {
        Map<String, String> m = capture();
        m.put("leader.password", "${env:REPLOG_MISSING}");
        m.put("leader.user", "${env:REPLOG_PW}");
        ConfigException e = assertThrows(ConfigException.class, () -> load(m, CAPTURE));
        assertEquals("config key 'leader.password' refers to environment variable 'REPLOG_MISSING', which is not set", e.getMessage());
    }

    @Test
    void unreadableFileIsAConfigErrorNamingKeyAndFile(@TempDir Path dir) {
        Map<String, String> m = capture();
        Path missing = dir.resolve("no-such-secret");
        m.put("leader.password", "${file:" + missing + "}");
        ConfigException e = assertThrows(ConfigException.class, () -> load(m, CAPTURE));
        assertEquals("config key 'leader.password' refers to file '" + missing + "', which cannot be read (NoSuchFileException)",
                e.getMessage());
    }

    @Test
    void malformedReferencesAreRefusedWithoutShowingTheValue() {
        Map<String, String> m = capture();
        m.put("leader.password", "${vault:" + SECRET + "}");
        m.put("leader.sslpassword", "x${" + SECRET);
        ConfigException e = assertThrows(ConfigException.class, () -> load(m, CAPTURE));
        assertTrue(e.getMessage().contains("config key 'leader.password' has a '${...}' that is neither ${env:NAME} nor ${file:PATH}"), e.getMessage());
        assertTrue(e.getMessage().contains("config key 'leader.sslpassword' has a '${' without its closing '}'"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    }

    @Test
    void passwordsWrittenIntoUrlsAreNeverShown() {
        Map<String, String> m = apply();
        m.put("follower.jdbc.url", "jdbc:postgresql://127.0.0.1/app?user=a&password=" + SECRET + "&sslpassword=" + SECRET);
        m.put("await.followers", "jdbc:postgresql://h/db?password=" + SECRET + ",serve:h:1");
        m.put("follower.sslpassword", SECRET);
        m.put("kafka.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"" + SECRET + "\";");
        ReplogConfig c = load(m, APPLY);
        assertFalse(c.describe().contains(SECRET), c.describe());

        m.put("follower.jdbc.url", "jdbc:mysql://127.0.0.1/app?password=" + SECRET);
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.follower(load(m, APPLY)));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertTrue(e.getMessage().contains("password=***"), e.getMessage());
    }

    @Test
    void postgresTlsKeysReachEveryConnectionOfTheirSide() {
        Map<String, String> m = capture();
        m.put("leader.sslmode", "verify-full");
        m.put("leader.sslrootcert", "/tls/ca.crt");
        m.put("leader.sslcert", "/tls/capture.crt");
        m.put("leader.sslkey", "/tls/capture.pk8");
        m.put("leader.sslpassword", "${env:REPLOG_PW}");
        LeaderConnection leader = Settings.leader(load(m, CAPTURE));
        Properties p = leader.jdbcProperties();
        assertEquals("verify-full", p.getProperty("sslmode"));
        assertEquals("/tls/ca.crt", p.getProperty("sslrootcert"));
        assertEquals("/tls/capture.crt", p.getProperty("sslcert"));
        assertEquals("/tls/capture.pk8", p.getProperty("sslkey"));
        assertEquals(SECRET, p.getProperty("sslpassword"));

        Map<String, String> a = apply();
        a.put("follower.sslmode", "verify-ca");
        a.put("follower.sslrootcert", "/tls/ca.crt");
        a.put("follower.sslkey", "/tls/apply.key");
        FollowerConnection follower = Settings.follower(load(a, APPLY));
        Properties f = follower.jdbcProperties("test");
        assertEquals("verify-ca", f.getProperty("sslmode"));
        assertEquals("/tls/ca.crt", f.getProperty("sslrootcert"));
        assertEquals("/tls/apply.key", f.getProperty("sslkey"));
        assertFalse(f.containsKey("sslcert"));
        assertFalse(f.containsKey("sslpassword"));
    }

    @Test
    void kafkaTlsKeysBecomeClientProperties() {
        Map<String, String> m = capture();
        m.put("kafka.security.protocol", "SASL_SSL");
        m.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        m.put("kafka.ssl.truststore.location", "/tls/ca.pem");
        m.put("kafka.ssl.truststore.type", "PEM");
        m.put("kafka.ssl.keystore.location", "/tls/client.p12");
        m.put("kafka.ssl.keystore.type", "PKCS12");
        m.put("kafka.ssl.keystore.password", "${env:REPLOG_PW}");
        m.put("kafka.ssl.key.password", "${env:REPLOG_PW}");
        Properties p = Settings.kafka(load(m, CAPTURE)).clientConfig();
        assertEquals("SASL_SSL", p.getProperty("security.protocol"));
        assertEquals("PEM", p.getProperty("ssl.truststore.type"));
        assertEquals("PKCS12", p.getProperty("ssl.keystore.type"));
        assertEquals(SECRET, p.getProperty("ssl.keystore.password"));
        assertEquals(SECRET, p.getProperty("ssl.key.password"));
        assertEquals("https", p.getProperty("ssl.endpoint.identification.algorithm"));
        assertFalse(Settings.kafka(load(m, CAPTURE)).toString().contains(SECRET));

        m.put("kafka.ssl.endpoint.identification.algorithm", "");
        assertEquals("", Settings.kafka(load(m, CAPTURE)).clientConfig().getProperty("ssl.endpoint.identification.algorithm"));
        m.put("kafka.ssl.endpoint.identification.algorithm", "http");
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.kafka(load(m, CAPTURE)));
        assertTrue(e.getMessage().contains("kafka.ssl.endpoint.identification.algorithm"), e.getMessage());
        m.put("kafka.ssl.endpoint.identification.algorithm", "https");
        m.put("kafka.ssl.keystore.type", "P12");
        e = assertThrows(ConfigException.class, () -> load(m, CAPTURE));
        assertTrue(e.getMessage().contains("config key 'kafka.ssl.keystore.type' is 'P12' but must be one of [JKS, PKCS12, PEM]"), e.getMessage());
    }
}
