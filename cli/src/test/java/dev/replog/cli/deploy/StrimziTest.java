package dev.replog.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replog.cli.config.ConfigKeys;
import dev.replog.schemas.TableId;
import dev.replog.testkit.TestServers;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicNames;
import dev.replog.topology.TopicProvisioner;
import dev.replog.topology.TopicSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.replog.cli.deploy.DeployFiles.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Strimzi resources of deploy/k8s: the KafkaTopics are the topics capture and apply would create
 * (names by TopicNames, configs as TopicProvisioner sets them on a real broker), and the KafkaUsers' ACLs are exactly
 * those deploy/kafka-acls.sh adds, for the names the services' configs use.
 */
class StrimziTest {

    private static final Kubernetes K8S = Kubernetes.load();
    private static final ServiceConfig CAPTURE = ServiceConfig.load(Kubernetes.DIR.resolve("config/capture.properties"));

    @Test
    void theKafkaTopicsAreTheLogsTopicsWithItsPartitionsAndReplicas() {
        TopicNames names = new TopicNames(CAPTURE.prefix());
        int partitions = Integer.parseInt(CAPTURE.getOrDefault(ConfigKeys.TOPICS_PARTITIONS));
        int replicas = Integer.parseInt(CAPTURE.getOrDefault(ConfigKeys.TOPICS_REPLICATION_FACTOR));
        Map<String, List<Integer>> expected = new HashMap<>();
        for (TableId table : CAPTURE.tables(ConfigKeys.CAPTURE_TABLES)) {
            assertFalse(table.toString().contains("*"), "a pattern's topics cannot be listed: " + table);
            expected.put(names.forTable(table), List.of(partitions, replicas));
        }
        for (String own : List.of(names.transactions(), names.heartbeat(), names.captureOffsets(), names.deadLetter())) {
            expected.put(own, List.of(1, replicas));
        }
        Map<String, List<Integer>> declared = new HashMap<>();
        String cluster = clusterOf(CAPTURE);
        for (JsonNode t : K8S.ofKind("KafkaTopic")) {
            String name = text(t, "spec", "topicName");
            assertTrue(text(t, "metadata", "name").matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?"), "Kubernetes name of " + name);
            assertEquals(cluster, text(t, "metadata", "labels", "strimzi.io/cluster"), name);
            declared.put(name, List.of(t.path("spec").path("partitions").asInt(), t.path("spec").path("replicas").asInt()));
        }
        assertEquals(expected, declared);
    }

    /**
     * Each KafkaTopic has every config TopicProvisioner sets when capture (or apply, for the dead-letter
     * topic) creates that topic, with the same value (an operator may add more): the test has it create
     * them, under a prefix of their own, on the tests' broker and reads the configs Kafka reports as set
     * on each topic.
     */
    @Test
    void theKafkaTopicsHaveEveryConfigTopicProvisionerCreatesThemWith() throws Exception {
        String prefix = "deploy_" + Long.toHexString(System.nanoTime());
        TopicNames created = new TopicNames(prefix);
        TopicSettings layout = new TopicSettings(Integer.parseInt(CAPTURE.getOrDefault(ConfigKeys.TOPICS_PARTITIONS)), (short) 1,
                Long.parseLong(CAPTURE.getOrDefault(ConfigKeys.TOPICS_RETENTION_MS)));
        Map<String, Map<String, String>> actual = new HashMap<>();
        try (Admin admin = Admin.create(KafkaSettings.plaintext(TestServers.get().kafka().bootstrapServers()).clientConfig())) {
            TopicProvisioner capture = new TopicProvisioner(admin, layout);
            CAPTURE.tables(ConfigKeys.CAPTURE_TABLES).forEach(t -> capture.ensureTableTopic(created.forTable(t)));
            capture.ensureOrderedTopic(created.captureOffsets(), true); // as CaptureService does
            capture.ensureOrderedTopic(created.transactions(), false);
            capture.ensureOrderedTopic(created.heartbeat(), false);
            new TopicProvisioner(admin, new TopicSettings(1, (short) 1, -1)).ensureOrderedTopic(created.deadLetter(), false); // as DeadLetterPublisher does
            List<ConfigResource> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(n -> n.startsWith(prefix + ".")).map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
            admin.describeConfigs(topics).all().get(30, TimeUnit.SECONDS).forEach((r, config) -> {
                Map<String, String> set = new HashMap<>();
                config.entries().stream().filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                        .forEach(e -> set.put(e.name(), e.value()));
                actual.put(CAPTURE.prefix() + r.name().substring(prefix.length()), set);
            });
        }
        Map<String, Map<String, String>> declared = new HashMap<>();
        for (JsonNode t : K8S.ofKind("KafkaTopic")) {
            Map<String, String> config = new HashMap<>();
            t.path("spec").path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            declared.put(text(t, "spec", "topicName"), config);
        }
        assertEquals(actual.keySet(), declared.keySet());
        actual.forEach((topic, set) -> set.forEach((name, value) -> assertEquals(value, declared.get(topic).get(name),
                topic + ": " + name + ", which TopicProvisioner sets to " + value)));
    }

    @Test
    void theKafkaUsersHaveExactlyTheAclsOfTheScriptForTheNamesTheServicesUse() throws Exception {
        Set<Acl> users = new HashSet<>();
        for (JsonNode u : K8S.ofKind("KafkaUser")) {
            assertEquals(clusterOf(CAPTURE), text(u, "metadata", "labels", "strimzi.io/cluster"));
            assertEquals("scram-sha-512", text(u, "spec", "authentication", "type"));
            String principal = "User:" + text(u, "metadata", "name");
            for (JsonNode acl : u.path("spec").path("authorization").path("acls")) {
                JsonNode r = acl.path("resource");
                String pattern = r.path("patternType").asText("literal").equals("prefix") ? "prefixed" : "literal";
                for (JsonNode op : acl.path("operations")) {
                    users.add(new Acl(principal, text(r, "type"), r.path("name").asText(""), pattern, op.asText()));
                }
            }
        }
        Set<Acl> script = script();
        assertEquals(Set.of(), difference(script, users), "ACLs deploy/kafka-acls.sh adds but the KafkaUsers lack");
        assertEquals(Set.of(), difference(users, script), "ACLs the KafkaUsers have but deploy/kafka-acls.sh does not add");

        String prefix = CAPTURE.prefix() + ".";
        ServiceConfig apply = ServiceConfig.load(Kubernetes.DIR.resolve("config/apply.properties"));
        ServiceConfig serve = ServiceConfig.load(Kubernetes.DIR.resolve("config/serve.properties"));
        String transactionalId = "replog-capture-" + CAPTURE.prefix() + "-" + CAPTURE.get("capture.slot.name"); // CaptureService
        assertTrue(users.contains(new Acl("User:replog-capture", "transactionalId", transactionalId, "literal", "Write")));
        assertTrue(users.contains(new Acl("User:replog-capture", "topic", prefix, "prefixed", "Write")));
        assertTrue(users.contains(new Acl("User:replog-capture", "topic", prefix, "prefixed", "Create")));
        assertTrue(users.contains(new Acl("User:replog-apply", "topic", prefix, "prefixed", "Read")));
        assertTrue(users.contains(new Acl("User:replog-apply", "group", apply.get("apply.group.id"), "literal", "Read")));
        assertTrue(users.contains(new Acl("User:replog-apply", "topic", new TopicNames(CAPTURE.prefix()).deadLetter(), "literal", "Create")));
        String applicationId = serve.get("serve.group.id");
        assertTrue(users.contains(new Acl("User:replog-serve", "topic", prefix, "prefixed", "Read")));
        assertTrue(users.contains(new Acl("User:replog-serve", "group", applicationId, "literal", "Read")));
        assertTrue(users.contains(new Acl("User:replog-serve", "topic", applicationId + "-", "prefixed", "Create")));
        assertTrue(users.contains(new Acl("User:replog-serve", "transactionalId", applicationId + "-", "prefixed", "Write")));
    }

    /** What deploy/kafka-acls.sh adds with its defaults. */
    private static Set<Acl> script() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", DeployFiles.deploy("kafka-acls.sh").toString()).redirectErrorStream(true);
        pb.environment().put("PRINT", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Set<Acl> acls = new HashSet<>();
        for (String line : out.lines().toList()) {
            List<String> args = List.of(line.split(" "));
            assertEquals(List.of("kafka-acls.sh", "--add"), args.subList(0, 2), line);
            String principal = null;
            String type = null;
            String name = "";
            String pattern = "literal";
            List<String> operations = new ArrayList<>();
            for (int i = 2; i < args.size(); i++) {
                switch (args.get(i)) {
                    case "--allow-principal" -> principal = args.get(++i);
                    case "--operation" -> operations.add(args.get(++i));
                    case "--topic" -> { type = "topic"; name = args.get(++i); }
                    case "--group" -> { type = "group"; name = args.get(++i); }
                    case "--transactional-id" -> { type = "transactionalId"; name = args.get(++i); }
                    case "--cluster" -> type = "cluster";
                    case "--resource-pattern-type" -> pattern = args.get(++i);
                    default -> throw new AssertionError("unexpected " + args.get(i) + " in " + line);
                }
            }
            for (String op : operations) {
                acls.add(new Acl(principal, type, name, pattern, op));
            }
        }
        return acls;
    }

    private static Set<Acl> difference(Set<Acl> a, Set<Acl> b) {
        Set<Acl> d = new HashSet<>(a);
        d.removeAll(b);
        return d;
    }

    /** Strimzi names a cluster's bootstrap Service {@code <cluster>-kafka-bootstrap}. */
    private static String clusterOf(ServiceConfig config) {
        String bootstrap = config.get("kafka.bootstrap.servers");
        assertTrue(bootstrap.matches("[a-z0-9-]+-kafka-bootstrap:\\d+"), bootstrap);
        return bootstrap.substring(0, bootstrap.indexOf("-kafka-bootstrap"));
    }

    private record Acl(String principal, String resourceType, String name, String patternType, String operation) {
    }
}
