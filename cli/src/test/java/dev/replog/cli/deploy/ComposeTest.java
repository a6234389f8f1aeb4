package dev.replog.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replog.cli.config.ConfigKey.Scope;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** deploy/compose/compose.yaml fits its config files, the image the build makes, and Prometheus and Grafana. */
class ComposeTest {

    private static final Path DIR = DeployFiles.deploy("compose");
    private static final JsonNode COMPOSE = DeployFiles.yaml(DIR.resolve("compose.yaml"));
    private static final Pattern PUBLISHED = Pattern.compile("127\\.0\\.0\\.1:(\\d+):(\\d+)");

    @Test
    void everyReplogServiceRunsTheBuiltImageWithItsConfigAndPublishesItsPortOnLoopback() {
        for (Scope service : List.of(Scope.CAPTURE, Scope.APPLY, Scope.SERVE)) {
            String name = service.name().toLowerCase(Locale.ROOT);
            JsonNode s = service(name);
            assertEquals(DeployFiles.IMAGE, DeployFiles.text(s, "image"), name);
            String configPath = "/etc/replog/" + name + ".properties";
            assertEquals(List.of(name, "--config", configPath), strings(s.path("command")), name);
            assertTrue(strings(s.path("volumes")).contains("./" + name + ".properties:" + configPath + ":ro"), name + " mounts its config");
            // Heap = MaxRAMPercentage of the limit: what the services are measured with.
            assertEquals(ImageTest.HEAP_MIB, ImageTest.heapMibOf(DeployFiles.text(s, "mem_limit")), name + ": mem_limit");

            ServiceConfig config = ServiceConfig.load(DIR.resolve(name + ".properties"));
            String listen = ServiceConfig.listenKey(service);
            // Never a wildcard: the container's own address, by the host name Prometheus scrapes it at.
            assertEquals(DeployFiles.text(s, "hostname"), config.host(listen), name + ": " + listen);
            assertEquals(name, DeployFiles.text(s, "hostname"), "other containers reach " + name + " by its service name");
            List<String> ports = strings(s.path("ports"));
            assertEquals(1, ports.size(), name + ": " + ports);
            Matcher m = PUBLISHED.matcher(ports.get(0));
            assertTrue(m.matches(), name + " publishes on the host's loopback only: " + ports);
            assertEquals(config.port(listen), Integer.parseInt(m.group(2)), name + ": published port = " + listen);
            assertTrue(ImageTest.exposedPorts().contains(config.port(listen)), "the image exposes " + name + "'s " + listen);

            List<String> secrets = strings(s.path("secrets"));
            for (String file : config.referencedFiles()) {
                assertTrue(file.startsWith("/run/secrets/") && secrets.contains(file.substring("/run/secrets/".length())),
                        name + " reads " + file + " but is not given that secret: " + secrets);
            }
        }
        ServiceConfig serve = ServiceConfig.load(DIR.resolve("serve.properties"));
        assertEquals("serve:" + serve.port("serve.http.listen"), serve.get("serve.http.advertised"));
        assertTrue(strings(service("serve").path("volumes")).contains("serve-state:/var/lib/replog"), "serve keeps its stores");
        assertTrue(serve.get("serve.state.dir").startsWith("/var/lib/replog/"), "serve.state.dir is on the volume");
    }

    @Test
    void theLeaderHasLogicalWalAndBothDatabasesGetTheirRolesFromDeploySql() {
        assertTrue(strings(service("leader").path("command")).contains("wal_level=logical"));
        ServiceConfig capture = ServiceConfig.load(DIR.resolve("capture.properties"));
        ServiceConfig apply = ServiceConfig.load(DIR.resolve("apply.properties"));
        assertEquals("leader", capture.get("leader.host"));
        assertTrue(apply.get("follower.jdbc.url").startsWith("jdbc:postgresql://follower:5432/"), apply.get("follower.jdbc.url"));
        assertRoleScript("leader", PsqlScript.LEADER_ROLE, capture.get("leader.user"));
        assertRoleScript("follower", PsqlScript.FOLLOWER_ROLE, apply.get("follower.user"));
    }

    private static void assertRoleScript(String database, Path sql, String role) {
        JsonNode s = service(database);
        assertTrue(strings(s.path("volumes")).contains("../sql:/replog/sql:ro"), database + " mounts deploy/sql");
        String init = strings(s.path("volumes")).stream().filter(v -> v.contains("/docker-entrypoint-initdb.d/"))
                .findFirst().orElseThrow(() -> new AssertionError(database + " has no init script"));
        String script = DeployFiles.read(DIR.resolve(init.substring(0, init.indexOf(':'))));
        assertTrue(script.contains("-f /replog/sql/" + sql.getFileName()), database + "'s init runs " + sql);
        assertTrue(script.contains("-v role=" + role + " "), database + "'s init creates the role the service logs in as, " + role);
        for (String variable : PsqlScript.variablesOf(sql)) {
            assertTrue(script.contains("-v " + variable + "="), database + "'s init sets psql variable " + variable + " of " + sql);
        }
        for (String secret : strings(s.path("secrets"))) {
            assertTrue(Files.isRegularFile(DIR.resolve("secrets").resolve(secret)), "secret file " + secret);
        }
    }

    @Test
    void kafkaIsTheVersionReplogIsBuiltWithAndEverySecretHasItsFile() {
        String kafka = DeployFiles.pomValue(DeployFiles.ROOT.resolve("pom.xml"), "properties/kafka.version");
        assertEquals("apache/kafka:" + kafka, DeployFiles.text(service("kafka"), "image"));
        COMPOSE.path("secrets").fields().forEachRemaining(e ->
                assertTrue(Files.isRegularFile(DIR.resolve(DeployFiles.text(e.getValue(), "file"))), "secret " + e.getKey()));
    }

    /**
     * Prometheus scrapes every service where it listens, with the jobs of deploy/prometheus/prometheus.yml
     * (written on another branch of issue 13), whose alert rules match on the job names.
     */
    @Test
    void prometheusScrapesEveryServiceWhereItListensWithTheJobsTheAlertRulesKnow() {
        JsonNode prometheus = service("prometheus");
        assertTrue(strings(prometheus.path("volumes")).contains("./prometheus.yml:/etc/prometheus/prometheus.yml:ro"));
        assertTrue(strings(prometheus.path("volumes")).contains("../prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro"));
        JsonNode config = DeployFiles.yaml(DIR.resolve("prometheus.yml"));
        assertEquals(List.of("alerts.yml"), strings(config.path("rule_files")));
        Map<String, String> jobs = jobs(config);
        for (Scope service : List.of(Scope.CAPTURE, Scope.APPLY, Scope.SERVE)) {
            String name = service.name().toLowerCase(Locale.ROOT);
            String listen = ServiceConfig.load(DIR.resolve(name + ".properties")).get(ServiceConfig.listenKey(service));
            assertTrue(jobs.containsValue("/metrics " + listen), "Prometheus does not scrape " + name + " at " + listen + ": " + jobs);
        }
        Path shared = DeployFiles.deploy("prometheus/prometheus.yml");
        assumeTrue(Files.exists(shared), shared + " is not written yet");
        Map<String, String> sharedJobs = jobs(DeployFiles.yaml(shared));
        assertEquals(sharedJobs.keySet(), jobs.keySet(), "the jobs of " + shared);
        sharedJobs.forEach((job, target) -> assertEquals(port(target), port(jobs.get(job)), job + ": the port of " + shared));
    }

    /** Each job as its metrics path and its one target. */
    private static Map<String, String> jobs(JsonNode prometheus) {
        Map<String, String> jobs = new TreeMap<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            List<String> targets = new ArrayList<>();
            job.path("static_configs").forEach(sc -> targets.addAll(strings(sc.path("targets"))));
            assertEquals(1, targets.size(), job.toString());
            jobs.put(DeployFiles.text(job, "job_name"), job.path("metrics_path").asText("/metrics") + " " + targets.get(0));
        }
        return jobs;
    }

    private static String port(String pathAndTarget) {
        return pathAndTarget.substring(0, pathAndTarget.indexOf(' ')) + pathAndTarget.substring(pathAndTarget.lastIndexOf(':'));
    }

    /** deploy/grafana/replog-dashboard.json (written on another branch) uses the data source compose provisions. */
    @Test
    void grafanaProvisionsTheDashboardAndTheDataSourceItUses() {
        JsonNode grafana = service("grafana");
        assertTrue(strings(grafana.path("volumes")).contains("../grafana:/etc/grafana/dashboards/replog:ro"));
        JsonNode provider = DeployFiles.yaml(DIR.resolve("grafana/provisioning/dashboards/replog.yaml")).path("providers").get(0);
        assertEquals("/etc/grafana/dashboards/replog", DeployFiles.text(provider, "options", "path"));
        JsonNode source = DeployFiles.yaml(DIR.resolve("grafana/provisioning/datasources/prometheus.yaml")).path("datasources").get(0);
        assertEquals("http://prometheus:9090", DeployFiles.text(source, "url"));
        Path dashboard = DeployFiles.deploy("grafana/replog-dashboard.json");
        assumeTrue(Files.exists(dashboard), dashboard + " is not written yet");
        List<String> uids = new ArrayList<>();
        DeployFiles.json(dashboard).findParents("datasource").forEach(p -> {
            JsonNode ds = p.get("datasource");
            if (ds.has("uid")) {
                uids.add(ds.get("uid").asText());
            }
        });
        String provisioned = DeployFiles.text(source, "uid");
        assertTrue(uids.stream().allMatch(u -> u.equals(provisioned) || u.startsWith("${") || u.startsWith("-- ")),
                dashboard + " refers to data sources " + uids + "; compose provisions uid " + provisioned);
    }

    private static JsonNode service(String name) {
        JsonNode s = COMPOSE.path("services").path(name);
        assertTrue(s.isObject(), "compose.yaml has no service " + name);
        return s;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
