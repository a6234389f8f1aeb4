package dev.replog.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.replog.cli.config.ConfigKeys;
import dev.replog.metrics.ReplogMetric;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard, the alert rules and the Prometheus configuration in deploy/ parse, and name
 * only metrics the services export: every {@code replog_*} name must be a series of a meter
 * {@link ReplogMetric} declares (MetricsTest checks that the services export every one of those).
 */
class MonitoringFilesTest {

    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Pattern REPLOG_NAME = Pattern.compile("\\breplog_[a-z0-9_]+");

    @Test
    void dashboardQueriesOnlyMetricsTheServicesExport() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("grafana/replog-dashboard.json").toFile());
        assertEquals("replog", dashboard.path("uid").asText());
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        dashboard.path("templating").path("list").forEach(v -> exprs.add(v.path("definition").asText()));
        assertTrue(exprs.size() >= 20, "the dashboard has its panels' queries: " + exprs.size());
        assertEquals(Set.of(), unknownNames(exprs), "replog_* names the services do not export");
        Set<String> used = usedNames(exprs);
        for (String needed : List.of("replog_apply_lag_records", "replog_apply_lag_wal_bytes", "replog_apply_lag_seconds",
                "replog_apply_events_applied_total", "replog_apply_commit_seconds_bucket", "replog_capture_slot_retained_wal_bytes",
                "replog_apply_stopped_tables", "replog_serve_lookups_seconds_bucket")) {
            assertTrue(used.contains(needed), "the dashboard shows " + needed);
        }
        assertTrue(exprs.stream().anyMatch(e -> e.contains("jvm_memory_used_bytes{area=\"heap\"}")), "JVM heap shown");
    }

    @Test
    void alertRulesWatchLagStoppedTablesTheSlotAndDownProcessesWithExportedMetricsOnly() throws IOException {
        JsonNode alerts = new YAMLMapper().readTree(DEPLOY.resolve("prometheus/alerts.yml").toFile());
        List<JsonNode> rules = new ArrayList<>();
        alerts.path("groups").forEach(g -> g.path("rules").forEach(rules::add));
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            assertFalse(name.isEmpty(), "every rule is an alert with a name: " + rule);
            assertFalse(rule.path("expr").asText().isEmpty(), name + " has an expression");
            assertTrue(List.of("warning", "critical").contains(rule.path("labels").path("severity").asText()), name + " has a severity");
            assertFalse(rule.path("annotations").path("summary").asText().isEmpty(), name + " has a summary");
        }
        List<String> exprs = rules.stream().map(r -> r.path("expr").asText()).toList();
        assertEquals(Set.of(), unknownNames(exprs), "replog_* names the services do not export");
        assertTrue(exprs.stream().anyMatch(e -> e.contains("replog_apply_lag_seconds") && e.contains(">")), "lag alert: " + exprs);
        assertTrue(exprs.stream().anyMatch(e -> e.contains("replog_apply_table_stopped")), "stopped table alert: " + exprs);
        assertTrue(exprs.stream().anyMatch(e -> e.contains("replog_capture_slot_retained_wal_bytes")), "slot WAL alert: " + exprs);
        assertTrue(exprs.stream().anyMatch(e -> e.matches("up\\{job=~\"replog-\\.\\*\"} == 0")), "process down alert: " + exprs);
    }

    @Test
    void prometheusScrapesTheThreeServicesAtTheirDefaultAddressesAndLoadsTheAlerts() throws IOException {
        JsonNode config = new YAMLMapper().readTree(DEPLOY.resolve("prometheus/prometheus.yml").toFile());
        assertEquals("alerts.yml", config.path("rule_files").path(0).asText());
        List<String> jobs = new ArrayList<>();
        config.path("scrape_configs").forEach(j -> jobs.add(j.path("job_name").asText() + " "
                + j.path("static_configs").path(0).path("targets").path(0).asText()));
        assertEquals(List.of("replog-capture " + ConfigKeys.CAPTURE_HTTP_LISTEN.defaultValue(),
                "replog-apply " + ConfigKeys.APPLY_HTTP_LISTEN.defaultValue(),
                "replog-serve " + ConfigKeys.SERVE_HTTP_LISTEN.defaultValue()), jobs);
    }

    @Test
    void theMetricsPageDescribesEveryMetric() throws IOException {
        String page = java.nio.file.Files.readString(Path.of("..", "docs", "metrics.md"));
        List<String> missing = Stream.of(ReplogMetric.values()).map(ReplogMetric::prometheusName)
                .filter(n -> !page.contains("`" + n + "`")).toList();
        assertEquals(List.of(), missing, "metrics docs/metrics.md does not describe");
    }

    @Test
    void aMisspelledMetricNameIsCaught() {
        assertEquals(Set.of("replog_apply_lag_record"), unknownNames(List.of("max(replog_apply_lag_record) > 0")));
        assertEquals(Set.of("replog_apply_lag_records_total"), unknownNames(List.of("rate(replog_apply_lag_records_total[1m])")));
        assertEquals(Set.of(), unknownNames(List.of("replog_apply_lag_records > 0 and up{job=~\"replog-.*\"} == 0")));
    }

    private static Set<String> unknownNames(List<String> exprs) {
        Set<String> exported = Stream.of(ReplogMetric.values()).flatMap(m -> m.seriesNames().stream()).collect(Collectors.toSet());
        Set<String> unknown = usedNames(exprs);
        unknown.removeAll(exported);
        return unknown;
    }

    private static Set<String> usedNames(List<String> exprs) {
        Set<String> names = new TreeSet<>();
        for (String e : exprs) {
            Matcher m = REPLOG_NAME.matcher(e);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }
}
