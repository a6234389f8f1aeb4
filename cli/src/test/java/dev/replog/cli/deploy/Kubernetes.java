package dev.replog.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The resources deploy/k8s/kustomization.yaml puts together, and the config files it makes ConfigMaps of. */
record Kubernetes(List<JsonNode> resources, Map<String, Path> configMaps) {

    static final Path DIR = DeployFiles.deploy("k8s");
    /** Applied on its own, where the Prometheus Operator runs. */
    static final Path MONITORING = DIR.resolve("monitoring");

    static Kubernetes load() {
        JsonNode kustomization = DeployFiles.yaml(DIR.resolve("kustomization.yaml"));
        List<JsonNode> resources = new ArrayList<>();
        kustomization.path("resources").forEach(r -> resources.addAll(DeployFiles.yamlDocuments(DIR.resolve(r.asText()))));
        Map<String, Path> configMaps = new HashMap<>();
        kustomization.path("configMapGenerator").forEach(g -> {
            if (g.path("files").size() != 1) {
                throw new AssertionError("ConfigMap " + g.path("name") + " should hold one config file");
            }
            configMaps.put(DeployFiles.text(g, "name"), DIR.resolve(g.path("files").get(0).asText()));
        });
        return new Kubernetes(resources, configMaps);
    }

    /** Every file of deploy/k8s the kustomization names. */
    List<Path> listedFiles() {
        JsonNode kustomization = DeployFiles.yaml(DIR.resolve("kustomization.yaml"));
        List<Path> files = new ArrayList<>(configMaps.values());
        kustomization.path("resources").forEach(r -> files.add(DIR.resolve(r.asText())));
        return files.stream().filter(Files::exists).toList();
    }

    List<JsonNode> ofKind(String kind) {
        return resources.stream().filter(r -> kind.equals(r.path("kind").asText())).toList();
    }

    JsonNode named(String kind, String name) {
        return ofKind(kind).stream().filter(r -> name.equals(r.path("metadata").path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in deploy/k8s"));
    }

    /** The Deployments and StatefulSets. */
    List<JsonNode> workloads() {
        List<JsonNode> w = new ArrayList<>(ofKind("Deployment"));
        w.addAll(ofKind("StatefulSet"));
        return w;
    }

    static JsonNode podSpec(JsonNode workload) {
        return workload.path("spec").path("template").path("spec");
    }

    static JsonNode container(JsonNode workload) {
        JsonNode containers = podSpec(workload).path("containers");
        if (containers.size() != 1) {
            throw new AssertionError(DeployFiles.abbreviate(workload) + " should run one container");
        }
        return containers.get(0);
    }

    /** The volume a container mounts at this path, or null. */
    static JsonNode volumeMountedAt(JsonNode workload, String path) {
        for (JsonNode m : container(workload).path("volumeMounts")) {
            if (path.equals(m.path("mountPath").asText())) {
                return volume(workload, m.path("name").asText());
            }
        }
        return null;
    }

    /** The volume (or volume claim template) of this name. */
    static JsonNode volume(JsonNode workload, String name) {
        for (JsonNode v : podSpec(workload).path("volumes")) {
            if (name.equals(v.path("name").asText())) {
                return v;
            }
        }
        for (JsonNode t : workload.path("spec").path("volumeClaimTemplates")) {
            if (name.equals(t.path("metadata").path("name").asText())) {
                return t;
            }
        }
        throw new AssertionError(DeployFiles.abbreviate(workload) + " mounts volume " + name + " it does not have");
    }

    /** A probe's or Service's port, by number or by the container port's name, as a number. */
    static int resolvePort(JsonNode workload, JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        for (JsonNode p : container(workload).path("ports")) {
            if (port.asText().equals(p.path("name").asText())) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError(DeployFiles.abbreviate(workload) + " has no port named " + port);
    }

    /** Whether the Service selects the workload's pods. */
    static boolean selects(JsonNode service, JsonNode workload) {
        JsonNode labels = workload.path("spec").path("template").path("metadata").path("labels");
        JsonNode selector = service.path("spec").path("selector");
        if (selector.isEmpty()) {
            return false;
        }
        boolean all = true;
        for (var it = selector.fields(); it.hasNext(); ) {
            var e = it.next();
            all &= e.getValue().asText().equals(labels.path(e.getKey()).asText());
        }
        return all;
    }
}
