package dev.replog.cli.config;

import dev.replog.applier.SchemaExpressions;
import dev.replog.capture.TimetzOffsets;
import dev.replog.capture.ValueEncoding;
import dev.replog.schemas.TableId;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.replog.cli.config.ConfigKey.Scope.APPLY;
import static dev.replog.cli.config.ConfigKey.Scope.CAPTURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplogConfigTest {

    private static Map<String, String> validCapture() {
        Map<String, String> m = new HashMap<>();
        m.put("kafka.bootstrap.servers", "127.0.0.1:9092");
        m.put("leader.host", "127.0.0.1");
        m.put("leader.database", "app");
        m.put("leader.user", "replicator");
        m.put("leader.password", "s3cret-value");
        m.put("capture.tables", "public.orders, public.customers");
        return m;
    }

    @Test
    void missingRequiredKeyIsNamed() {
        Map<String, String> m = validCapture();
        m.remove("leader.host");
        ConfigException e = assertThrows(ConfigException.class, () -> ReplogConfig.of(m, Set.of(CAPTURE)));
        assertTrue(e.getMessage().contains("missing config key 'leader.host'"), e.getMessage());
    }

    @Test
    void keysOfOtherCommandsAreNotRequired() {
        ReplogConfig c = ReplogConfig.of(validCapture(), Set.of(CAPTURE));
        assertEquals(2, c.tables(ConfigKeys.CAPTURE_TABLES).size());
        assertThrows(ConfigException.class, () -> ReplogConfig.of(validCapture(), Set.of(APPLY)),
                "apply needs follower.* keys that a capture config lacks");
    }

    @Test
    void invalidNumberIsNamedWithItsValue() {
        Map<String, String> m = validCapture();
        m.put("leader.port", "54x2");
        ConfigException e = assertThrows(ConfigException.class, () -> ReplogConfig.of(m, Set.of(CAPTURE)));
        assertTrue(e.getMessage().contains("config key 'leader.port' is '54x2' but must be a whole number"), e.getMessage());
    }

    @Test
    void applierFetchWaitIsTwentyFiveMillisecondsByDefaultZeroOnRequestAndNeverNegative() {
        Map<String, String> m = new HashMap<>();
        m.put("kafka.bootstrap.servers", "127.0.0.1:9092");
        m.put("follower.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/app");
        m.put("follower.user", "writer");
        assertEquals(java.time.Duration.ofMillis(25), Settings.applier(ReplogConfig.of(m, Set.of(APPLY))).fetchWait());
        m.put("apply.fetch.wait.ms", "0");
        assertEquals(java.time.Duration.ZERO, Settings.applier(ReplogConfig.of(m, Set.of(APPLY))).fetchWait());
        m.put("apply.fetch.wait.ms", "-5");
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.applier(ReplogConfig.of(m, Set.of(APPLY))));
        assertTrue(e.getMessage().contains("'apply.fetch.wait.ms'") && e.getMessage().contains("-5"), e.getMessage());
    }

    @Test
    void schemaExpressionsAreSafeByDefaultAnyOnRequestAndAnythingElseIsRefusedNamingTheKey() {
        Map<String, String> m = new HashMap<>();
        m.put("kafka.bootstrap.servers", "127.0.0.1:9092");
        m.put("follower.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/app");
        m.put("follower.user", "writer");
        assertEquals(SchemaExpressions.SAFE, Settings.applier(ReplogConfig.of(m, Set.of(APPLY))).schemaExpressions());
        m.put("apply.schema.expressions", "any");
        assertEquals(SchemaExpressions.ANY, Settings.applier(ReplogConfig.of(m, Set.of(APPLY))).schemaExpressions());
        m.put("apply.schema.expressions", "all");
        ConfigException e = assertThrows(ConfigException.class, () -> ReplogConfig.of(m, Set.of(APPLY)));
        assertTrue(e.getMessage().contains("'apply.schema.expressions' is 'all' but must be one of [safe, any]"), e.getMessage());
    }

    @Test
    void valueOutsideChoicesListsTheChoices() {
        Map<String, String> m = validCapture();
        m.put("leader.sslmode", "always");
        ConfigException e = assertThrows(ConfigException.class, () -> ReplogConfig.of(m, Set.of(CAPTURE)));
        assertTrue(e.getMessage().contains("'leader.sslmode' is 'always' but must be one of [disable"), e.getMessage());
    }

    @Test
    void misspelledKeyIsRejectedWithASuggestion() {
        Map<String, String> m = validCapture();
        m.put("leader.hots", "x");
        ConfigException e = assertThrows(ConfigException.class, () -> ReplogConfig.of(m, Set.of(CAPTURE)));
        assertTrue(e.getMessage().contains("unknown config key 'leader.hots' (did you mean 'leader.host'?)"), e.getMessage());
    }

    @Test
    void tableNamesWithDotsQuotesAndCommasAreWrittenInDoubleQuotes() {
        Map<String, String> m = validCapture();
        m.put("capture.tables", "\"My.Schema\".\"we\"\"ird.Tab le\", public.\"a,b\", public.orders");
        assertEquals(List.of(new TableId("My.Schema", "we\"ird.Tab le"), new TableId("public", "a,b"), new TableId("public", "orders")),
                ReplogConfig.of(m, Set.of(CAPTURE)).tables(ConfigKeys.CAPTURE_TABLES));
        m.put("capture.tables", "\"My.Schema.t");
        ConfigException e = assertThrows(ConfigException.class, () -> ReplogConfig.of(m, Set.of(CAPTURE)));
        assertTrue(e.getMessage().contains("config key 'capture.tables' is '\"My.Schema.t': table name '\"My.Schema.t' has an "
                + "unclosed double quote"), e.getMessage());
    }

    @Test
    void badBootstrapServersAreRejected() {
        Map<String, String> m = validCapture();
        m.put("kafka.bootstrap.servers", "localhost");
        ConfigException e = assertThrows(ConfigException.class, () -> ReplogConfig.of(m, Set.of(CAPTURE)));
        assertTrue(e.getMessage().contains("'kafka.bootstrap.servers'"), e.getMessage());
    }

    @Test
    void upperCaseSlotNameIsRejectedBeforePostgresSeesIt() {
        Map<String, String> m = validCapture();
        m.put("capture.slot.name", "Replog");
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.capture(ReplogConfig.of(m, Set.of(CAPTURE))));
        assertTrue(e.getMessage().contains("capture.slot.name"), e.getMessage());
    }

    @Test
    void publicationRefreshIsFiveSecondsByDefaultAndNeverBelowOneHundredMilliseconds() {
        Map<String, String> m = validCapture();
        assertEquals(java.time.Duration.ofSeconds(5), Settings.capture(ReplogConfig.of(m, Set.of(CAPTURE))).publicationRefresh());
        m.put("capture.publication.refresh.ms", "250");
        assertEquals(java.time.Duration.ofMillis(250), Settings.capture(ReplogConfig.of(m, Set.of(CAPTURE))).publicationRefresh());
        m.put("capture.publication.refresh.ms", "0");
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.capture(ReplogConfig.of(m, Set.of(CAPTURE))));
        assertTrue(e.getMessage().contains("config key 'capture.publication.refresh.ms' must be at least 100, not 0"),
                e.getMessage());
    }

    @Test
    void valueEncodingIsExactByDefaultDebeziumOnRequestAndAnythingElseIsRefusedNamingTheKey() {
        Map<String, String> m = validCapture();
        assertEquals(ValueEncoding.EXACT, Settings.capture(ReplogConfig.of(m, Set.of(CAPTURE))).valueEncoding());
        m.put("capture.value.encoding", "debezium");
        assertEquals(ValueEncoding.DEBEZIUM, Settings.capture(ReplogConfig.of(m, Set.of(CAPTURE))).valueEncoding());
        m.put("capture.value.encoding", "connect");
        ConfigException e = assertThrows(ConfigException.class, () -> ReplogConfig.of(m, Set.of(CAPTURE)));
        assertTrue(e.getMessage().contains("config key 'capture.value.encoding' is 'connect' but must be one of [exact, debezium]"),
                e.getMessage());
    }

    @Test
    void timetzOffsetsAreExactByDefaultUtcOnRequestAndAnythingElseIsRefusedNamingTheKey() {
        Map<String, String> m = validCapture();
        assertEquals(TimetzOffsets.EXACT, Settings.capture(ReplogConfig.of(m, Set.of(CAPTURE))).timetzOffsets());
        m.put("capture.timetz.offsets", "utc");
        assertEquals(TimetzOffsets.UTC, Settings.capture(ReplogConfig.of(m, Set.of(CAPTURE))).timetzOffsets());
        m.put("capture.timetz.offsets", "local");
        ConfigException e = assertThrows(ConfigException.class, () -> ReplogConfig.of(m, Set.of(CAPTURE)));
        assertTrue(e.getMessage().contains("config key 'capture.timetz.offsets' is 'local' but must be one of [exact, utc]"),
                e.getMessage());
    }

    @Test
    void secretsAreMaskedInTheEffectiveConfiguration() {
        String described = ReplogConfig.of(validCapture(), Set.of(CAPTURE)).describe();
        assertFalse(described.contains("s3cret-value"), described);
        assertTrue(described.contains("leader.password = ********"), described);
    }

    @Test
    void aFiniteRetentionNeedsRefreshCopiesAndAtLeastTwiceTheirInterval() {
        Map<String, String> m = validCapture();
        m.put("topics.retention.ms", "8000");
        ConfigException off = assertThrows(ConfigException.class, () -> Settings.capture(ReplogConfig.of(m, Set.of(CAPTURE))));
        assertTrue(off.getMessage().contains("'topics.retention.ms' is 8000") && off.getMessage().contains("capture.refresh.interval.ms"),
                off.getMessage());
        m.put("capture.refresh.interval.ms", "4001");
        ConfigException shorter = assertThrows(ConfigException.class, () -> Settings.capture(ReplogConfig.of(m, Set.of(CAPTURE))));
        assertTrue(shorter.getMessage().contains("must be -1 or at least 8002"), shorter.getMessage());
        m.put("capture.refresh.interval.ms", "4000");
        assertEquals(4000, Settings.capture(ReplogConfig.of(m, Set.of(CAPTURE))).topicSettings().refreshMs());
        m.put("topics.retention.ms", "-1");
        assertEquals(-1, Settings.capture(ReplogConfig.of(m, Set.of(CAPTURE))).topicSettings().retentionMs());
    }
}
