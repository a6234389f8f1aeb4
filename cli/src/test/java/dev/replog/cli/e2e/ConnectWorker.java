package dev.replog.cli.e2e;

import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka Connect worker (standalone mode, as {@code connect-standalone.sh} runs it) in this
 * JVM, reading Replog's log as any third-party Connect deployment would: JSON with schemas, read
 * committed only (capture writes in Kafka transactions, and an aborted batch must not be applied).
 * Its REST interface listens on a free loopback port.
 */
final class ConnectWorker implements AutoCloseable {

    private final Connect<StandaloneHerder> connect;
    private final Path offsets;

    ConnectWorker(String bootstrapServers) {
        try {
            offsets = Files.createTempFile("replog-connect-offsets", ".dat");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> worker = new HashMap<>();
        worker.put("bootstrap.servers", bootstrapServers);
        worker.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.put("key.converter.schemas.enable", "true");
        worker.put("value.converter.schemas.enable", "true");
        worker.put("consumer.isolation.level", "read_committed");
        worker.put("offset.storage.file.filename", offsets.toString());
        worker.put("offset.flush.interval.ms", "1000");
        worker.put("listeners", "http://127.0.0.1:0");
        // Connectors and converters found by their ServiceLoader manifests, without scanning the classpath.
        worker.put("plugin.discovery", "service_load");
        connect = new ConnectStandalone().startConnect(worker);
    }

    /** Creates (or replaces) a connector and waits until the worker has accepted it. */
    void start(String name, Map<String, String> config) throws Exception {
        Map<String, String> withName = new HashMap<>(config);
        withName.put("name", name);
        FutureCallback<org.apache.kafka.connect.runtime.Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
        connect.herder().putConnectorConfig(name, withName, true, created);
        created.get(60, TimeUnit.SECONDS);
    }

    /** The state of a connector's task, e.g. {@code RUNNING} or {@code FAILED} with its trace. */
    String taskState(String name) {
        var status = connect.herder().connectorStatus(name);
        return status.tasks().isEmpty() ? "no task yet" : status.tasks().get(0).state()
                + (status.tasks().get(0).trace() == null ? "" : ": " + status.tasks().get(0).trace());
    }

    @Override
    public void close() throws IOException {
        connect.stop();
        connect.awaitStop();
        Files.deleteIfExists(offsets);
    }
}
