package dev.replog.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/**
 * The on-disk identity of a single-node KRaft cluster (broker and controller in one process):
 * its ports, its server.properties and its formatted log directory. Shared by the in-process
 * broker and the child-process broker so both run exactly the same configuration.
 */
final class KafkaNode {

    static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;

    final Path dir;
    final Path propertiesFile;
    final Path logDir;
    final int port;
    final int controllerPort;
    /** The inter-broker listener's port of a secured node (its clients' listener is {@link #port}); 0 otherwise. */
    final int brokerPort;
    /** Null: every listener plaintext. */
    final KafkaSecurity security;
    final Properties properties;

    private KafkaNode(Path dir, KafkaSecurity security) {
        this.dir = dir;
        this.security = security;
        this.propertiesFile = dir.resolve("server.properties");
        this.logDir = dir.resolve("logs");
        this.port = FreePort.pick();
        int controller = FreePort.pick();
        while (controller == port) {
            controller = FreePort.pick();
        }
        this.controllerPort = controller;
        int broker = 0;
        while (security != null && (broker == 0 || broker == port || broker == controllerPort)) {
            broker = FreePort.pick();
        }
        this.brokerPort = broker;
        this.properties = serverProperties();
    }

    /** Picks ports, writes server.properties and formats the storage of a fresh node in {@code dir}. */
    static KafkaNode create(Path dir) {
        return create(dir, null);
    }

    /** {@link #create(Path)} of a node that requires what {@code security} says (null: nothing). */
    static KafkaNode create(Path dir, KafkaSecurity security) {
        KafkaNode node = new KafkaNode(Dirs.recreate(dir.toAbsolutePath()), security);
        try {
            node.writeProperties();
            node.formatStorage();
            return node;
        } catch (RuntimeException e) {
            Dirs.deleteRecursively(node.dir);
            throw e;
        }
    }

    String bootstrapServers() {
        return HOST + ":" + port;
    }

    private Properties serverProperties() {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(NODE_ID));
        // A static quorum of one voter: format needs no --standalone / --initial-controllers.
        p.setProperty("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (security != null) {
            secure(p);
        }
        p.setProperty("log.dirs", logDir.toString());
        // One broker: internal topics must not ask for more replicas than exist, or consumers
        // and transactions silently wait forever.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        // Each partition of an internal topic is a log to create and load on first use; one node
        // gains nothing from the default 50.
        p.setProperty("offsets.topic.num.partitions", "5");
        p.setProperty("transaction.state.log.num.partitions", "5");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Segments past a topic's retention go within seconds (Kafka's default checks every 5 min), so a
        // log with a finite window really loses its old records while a test watches (topics Replog
        // creates keep their whole history unless configured otherwise).
        p.setProperty("log.retention.check.interval.ms", "1000");
        p.setProperty("num.partitions", "1");
        // Topics are created on purpose, with the partitioning the caller chose.
        p.setProperty("auto.create.topics.enable", "false");
        // A restarted broker is only unfenced once its previous session expired: keep that short.
        p.setProperty("broker.session.timeout.ms", "2000");
        p.setProperty("broker.heartbeat.interval.ms", "500");
        return p;
    }

    /**
     * Three listeners, each TLS with a required client certificate: CLIENT (SSL or SASL_SSL) for
     * the clients, BROKER (SSL) between brokers (a transaction coordinator writes its markers over
     * it, even to itself), CONTROLLER (SSL).
     */
    private void secure(Properties p) {
        p.setProperty("listeners", "CLIENT://" + HOST + ":" + port + ",BROKER://" + HOST + ":" + brokerPort
                + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.setProperty("advertised.listeners", "CLIENT://" + HOST + ":" + port + ",BROKER://" + HOST + ":" + brokerPort);
        p.setProperty("inter.broker.listener.name", "BROKER");
        p.setProperty("listener.security.protocol.map", "CLIENT:" + security.clientProtocol() + ",BROKER:SSL,CONTROLLER:SSL");
        p.putAll(security.tlsProperties());
        p.setProperty("ssl.client.auth", "required");
        // Kafka applies ssl.client.auth to a SASL_SSL listener only when given with the listener's prefix (KIP-684).
        p.setProperty("listener.name.client.ssl.client.auth", "required");
        if (!security.scramUsers().isEmpty()) {
            p.setProperty("sasl.enabled.mechanisms", KafkaSecurity.SCRAM_MECHANISM);
            p.setProperty("listener.name.client." + KafkaSecurity.SCRAM_MECHANISM.toLowerCase(Locale.ROOT)
                    + ".sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
    }

    /** What this node's own admin client needs: the inter-broker listener of a secured node, with the broker's certificate. */
    private Map<String, Object> adminConfig() {
        Map<String, Object> config = new HashMap<>(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, security == null ? bootstrapServers() : HOST + ":" + brokerPort,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
        if (security != null) {
            config.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SSL");
            config.putAll(security.tlsProperties());
        }
        return config;
    }

    private void writeProperties() {
        try (OutputStream out = Files.newOutputStream(propertiesFile)) {
            properties.store(out, "single-node KRaft broker+controller, generated by replog");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + propertiesFile, e);
        }
    }

    /** Runs kafka-storage format in this JVM; its main method would System.exit. */
    private void formatStorage() {
        String clusterId = Uuid.randomUuid().toString();
        List<String> args = new ArrayList<>(List.of(
                "format", "--config", propertiesFile.toString(), "--cluster-id", clusterId));
        if (security != null) {
            // SCRAM credentials live in the cluster's metadata: written at format, there before the first client.
            security.scramUsers().forEach((user, password) -> args.addAll(List.of("--add-scram",
                    KafkaSecurity.SCRAM_MECHANISM + "=[name=" + user + ",password=" + password + "]")));
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = kafka.tools.StorageTool$.MODULE$.execute(args.toArray(String[]::new), out);
        } catch (Exception e) {
            throw new IllegalStateException("kafka-storage format failed: " + output.toString(StandardCharsets.UTF_8), e);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("kafka-storage format exited with " + exitCode + ": "
                    + output.toString(StandardCharsets.UTF_8));
        }
    }

    /** Waits until the listener accepts TCP connections; polling Admin earlier only logs warnings. */
    void awaitListening(Duration timeout, Supplier<String> whyNot) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                String reason = whyNot.get();
                if (reason != null) {
                    throw new IllegalStateException("Kafka broker failed while starting: " + reason);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka broker not listening on " + bootstrapServers()
                            + " after " + timeout);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    /**
     * Waits until the broker is registered and unfenced: only then does describeCluster list it,
     * and only then can topics with one replica be created.
     */
    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(adminConfig())) {
            while (System.nanoTime() < deadline) {
                try {
                    long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                    int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) Math.min(remainingMs, 10_000)))
                            .nodes().get(remainingMs, TimeUnit.MILLISECONDS).size();
                    if (brokers > 0) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Kafka", e);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
        throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " not ready after " + timeout, last);
    }
}
