package dev.replog.schemas;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JdbcUrlsTest {

    @Test
    void passwordParametersAreMaskedWhereverTheyStand() {
        assertEquals("jdbc:postgresql://db:5432/shop?user=app&password=***&sslmode=verify-full",
                JdbcUrls.redact("jdbc:postgresql://db:5432/shop?user=app&password=Tr0ub4dor&sslmode=verify-full"));
        assertEquals("jdbc:postgresql://db/shop?password=***",
                JdbcUrls.redact("jdbc:postgresql://db/shop?password=Tr0ub4dor"));
        assertEquals("jdbc:postgresql://db/shop?sslkey=/k.pk8&sslpassword=***&user=app",
                JdbcUrls.redact("jdbc:postgresql://db/shop?sslkey=/k.pk8&sslpassword=Tr0ub4dor&user=app"));
        assertEquals("jdbc:postgresql://db/shop?PASSWORD=***",
                JdbcUrls.redact("jdbc:postgresql://db/shop?PASSWORD=Tr0ub4dor"));
    }

    @Test
    void userInfoPasswordIsMasked() {
        assertEquals("postgresql://app:***@db:5432/shop", JdbcUrls.redact("postgresql://app:Tr0ub4dor@db:5432/shop"));
        assertEquals("jdbc:postgresql://db:5432/shop", JdbcUrls.redact("jdbc:postgresql://db:5432/shop"));
    }

    @Test
    void everyUrlOfAListIsMasked() {
        assertEquals("jdbc:postgresql://a/x?password=***,serve:h:1,jdbc:postgresql://b/y?user=u&password=***",
                JdbcUrls.redact("jdbc:postgresql://a/x?password=one,serve:h:1,jdbc:postgresql://b/y?user=u&password=two"));
    }

    @Test
    void tlsSettingsNeverPrintTheKeyPassword() {
        PostgresTls tls = new PostgresTls("verify-full", "/ca.crt", "/c.crt", "/c.pk8", "Tr0ub4dor");
        assertEquals("sslmode=verify-full sslrootcert=/ca.crt sslcert=/c.crt sslkey=/c.pk8 sslpassword=***", tls.toString());
        assertEquals("Tr0ub4dor", tls.jdbcProperties().get("sslpassword"));
        assertEquals(java.util.Map.of("sslmode", "prefer"), PostgresTls.mode("prefer").jdbcProperties());
    }
}
