package dev.replog.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replog.cli.config.ConfigKey.Scope;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static dev.replog.cli.deploy.DeployFiles.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** deploy/k8s: workloads fit their configs, ports and probes agree, secrets and state are where configs look. */
class KubernetesTest {

    private static final Kubernetes K8S = Kubernetes.load();

    @Test
    void theKustomizationNamesEveryManifestAndConfigFile() {
        Set<Path> files = new HashSet<>(DeployFiles.files(n -> true).stream()
                .filter(f -> f.startsWith(Kubernetes.DIR) && !f.startsWith(Kubernetes.MONITORING)).toList());
        files.remove(Kubernetes.DIR.resolve("kustomization.yaml"));
        assertEquals(files, new HashSet<>(K8S.listedFiles()));
        assertEquals(List.of("podmonitor.yaml"), ComposeTest.strings(DeployFiles.yaml(Kubernetes.MONITORING.resolve("kustomization.yaml")).path("resources")));
        assertEquals(Set.of("Deployment/replog-capture", "Deployment/replog-apply", "StatefulSet/replog-serve"),
                new HashSet<>(K8S.workloads().stream().map(w -> w.path("kind").asText() + "/" + w.path("metadata").path("name").asText()).toList()));
    }

    @Test
    void everyServiceRunsTheImageWithItsConfigMapAndTheMeasuredHeapAsNonRoot() {
        for (JsonNode w : K8S.workloads()) {
            Scope service = serviceOf(w);
            String name = service.name().toLowerCase(Locale.ROOT);
            JsonNode c = Kubernetes.container(w);
            assertEquals(DeployFiles.IMAGE, text(c, "image"), name);
            assertEquals(List.of(name, "--config", "/etc/replog/" + name + ".properties"), ComposeTest.strings(c.path("args")));
            JsonNode config = Kubernetes.volumeMountedAt(w, "/etc/replog");
            assertNotNull(config, name + " mounts no config at /etc/replog");
            assertEquals(Kubernetes.DIR.resolve("config/" + name + ".properties"), K8S.configMaps().get(text(config, "configMap", "name")));

            String limit = text(c, "resources", "limits", "memory");
            assertEquals(ImageTest.HEAP_MIB, ImageTest.heapMibOf(limit), name + ": memory limit");
            assertEquals(limit, text(c, "resources", "requests", "memory"), name + ": the memory it may use is reserved");
            assertTrue(Kubernetes.podSpec(w).path("securityContext").path("runAsNonRoot").asBoolean(), name + " runs as non-root");
            assertEquals("false", text(c, "securityContext", "allowPrivilegeEscalation"), name);
            if (c.path("securityContext").path("readOnlyRootFilesystem").asBoolean()) {
                JsonNode tmp = Kubernetes.volumeMountedAt(w, "/tmp");
                assertTrue(tmp != null && tmp.has("emptyDir"), name + ": a read-only root needs a writable /tmp (RocksDB's library, Kafka's)");
            }
        }
        JsonNode capture = K8S.named("Deployment", "replog-capture");
        assertEquals(1, capture.path("spec").path("replicas").asInt(), "one capture per slot");
        assertEquals("Recreate", text(capture, "spec", "strategy", "type"), "the old capture stops before the new one starts");
    }

    @Test
    void listenPortsContainerPortsProbesServicesAndScrapeAnnotationsAgree() {
        for (JsonNode w : K8S.workloads()) {
            Scope service = serviceOf(w);
            ServiceConfig config = config(w);
            String listen = ServiceConfig.listenKey(service);
            int port = config.port(listen);
            // Never a wildcard: the pod's address, where probes and Prometheus reach it.
            assertEquals("${env:POD_IP}", config.host(listen), w.path("metadata").path("name") + ": " + listen);
            assertEquals("status.podIP", text(envVar(w, "POD_IP"), "valueFrom", "fieldRef", "fieldPath"));
            JsonNode c = Kubernetes.container(w);
            assertEquals(List.of(port), c.path("ports").findValuesAsText("containerPort").stream().map(Integer::parseInt).toList());
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                JsonNode get = c.path(probe).path("httpGet");
                assertEquals(probe.equals("readinessProbe") ? "/health/ready" : "/health/live", text(get, "path"), service + " " + probe);
                assertEquals(port, Kubernetes.resolvePort(w, get.path("port")), service + " " + probe);
            }
            JsonNode annotations = w.path("spec").path("template").path("metadata").path("annotations");
            assertEquals(String.valueOf(port), text(annotations, "prometheus.io/port"), service + ": Prometheus scrapes");
            assertEquals("/metrics", text(annotations, "prometheus.io/path"));
            for (JsonNode svc : K8S.ofKind("Service")) {
                if (Kubernetes.selects(svc, w)) {
                    for (JsonNode p : svc.path("spec").path("ports")) {
                        assertEquals(port, Kubernetes.resolvePort(w, p.path("targetPort")), svc.path("metadata").path("name").asText());
                        assertEquals(port, p.path("port").asInt(), svc.path("metadata").path("name").asText());
                    }
                }
            }
        }
    }

    @Test
    void serveIsAStatefulSetWithItsStateOnAVolumeAndAStableAdvertisedAddress() {
        JsonNode serve = K8S.named("StatefulSet", "replog-serve");
        ServiceConfig config = config(serve);
        String serviceName = text(serve, "spec", "serviceName");
        JsonNode headless = K8S.named("Service", serviceName);
        assertEquals("None", text(headless, "spec", "clusterIP"));
        assertTrue(Kubernetes.selects(headless, serve));
        JsonNode state = Kubernetes.volumeMountedAt(serve, "/var/lib/replog");
        assertTrue(state != null && state.has("spec") && state.path("spec").has("accessModes"), "a volume claim template at /var/lib/replog");
        assertTrue(config.get("serve.state.dir").startsWith("/var/lib/replog/"), "serve.state.dir is on the volume");
        assertEquals("${env:POD_NAME}." + serviceName + ".${env:POD_NAMESPACE}.svc:" + config.port("serve.http.listen"),
                config.get("serve.http.advertised"));
        assertEquals("metadata.name", text(envVar(serve, "POD_NAME"), "valueFrom", "fieldRef", "fieldPath"));
        assertEquals("metadata.namespace", text(envVar(serve, "POD_NAMESPACE"), "valueFrom", "fieldRef", "fieldPath"));
    }

    @Test
    void everyFileAConfigReadsIsASecretMountedThereAndKafkaCredentialsAreTheServicesKafkaUser() {
        for (JsonNode w : K8S.workloads()) {
            ServiceConfig config = config(w);
            List<String> files = config.referencedFiles();
            files.add(config.get("kafka.ssl.truststore.location"));
            for (String file : files) {
                Path path = Path.of(file);
                JsonNode volume = Kubernetes.volumeMountedAt(w, path.getParent().toString());
                assertNotNull(volume, config.file() + " reads " + file + ", but nothing is mounted at " + path.getParent());
                assertTrue(volume.has("secret"), file + " comes from a Secret");
                JsonNode items = volume.path("secret").path("items");
                assertTrue(items.isMissingNode() || items.findValuesAsText("path").contains(path.getFileName().toString()), file);
            }
            String user = text(Kubernetes.volumeMountedAt(w, "/etc/replog-secrets/kafka-user"), "secret", "secretName");
            assertEquals("replog-" + serviceOf(w).name().toLowerCase(Locale.ROOT), user);
            K8S.named("KafkaUser", user);
            assertTrue(config.referencedFiles().contains("/etc/replog-secrets/kafka-user/sasl.jaas.config"), "SCRAM credentials of " + user);
            for (String name : config.referencedEnvironment()) {
                envVar(w, name);
            }
        }
    }

    private static Scope serviceOf(JsonNode workload) {
        return DeployConfigTest.serviceOf(Path.of(Kubernetes.container(workload).path("name").asText() + ".properties"));
    }

    private static ServiceConfig config(JsonNode workload) {
        JsonNode configMap = Kubernetes.volumeMountedAt(workload, "/etc/replog");
        return ServiceConfig.load(K8S.configMaps().get(text(configMap, "configMap", "name")));
    }

    private static JsonNode envVar(JsonNode workload, String name) {
        List<JsonNode> found = new ArrayList<>();
        Kubernetes.container(workload).path("env").forEach(e -> {
            if (name.equals(e.path("name").asText())) {
                found.add(e);
            }
        });
        assertEquals(1, found.size(), "environment variable " + name + " of " + DeployFiles.abbreviate(workload));
        return found.get(0);
    }

    /** With the Prometheus Operator, every pod is scraped at /metrics under the job name the alert rules know. */
    @Test
    void thePodMonitorScrapesEveryServiceUnderTheJobNamesOfTheAlertRules() {
        JsonNode monitor = DeployFiles.yaml(Kubernetes.MONITORING.resolve("podmonitor.yaml"));
        String jobLabel = text(monitor, "spec", "jobLabel");
        List<String> endpoints = new ArrayList<>();
        monitor.path("spec").path("podMetricsEndpoints").forEach(e -> {
            assertEquals("/metrics", text(e, "path"));
            endpoints.add(text(e, "port"));
        });
        Set<String> jobs = new HashSet<>();
        for (JsonNode w : K8S.workloads()) {
            JsonNode labels = w.path("spec").path("template").path("metadata").path("labels");
            jobs.add(text(labels, jobLabel));
            assertEquals("replog-" + Kubernetes.container(w).path("name").asText(), text(labels, jobLabel));
            monitor.path("spec").path("selector").path("matchLabels").fields()
                    .forEachRemaining(e -> assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText(), "selected"));
            assertTrue(endpoints.contains(text(Kubernetes.container(w).path("ports").get(0), "name")), "an endpoint for its port");
        }
        Path prometheus = DeployFiles.deploy("prometheus/prometheus.yml");
        assumeTrue(Files.exists(prometheus), prometheus + " is not written yet");
        Set<String> known = new HashSet<>(DeployFiles.yaml(prometheus).path("scrape_configs").findValuesAsText("job_name"));
        assertEquals(known, jobs, "the job names of " + prometheus);
    }
}
