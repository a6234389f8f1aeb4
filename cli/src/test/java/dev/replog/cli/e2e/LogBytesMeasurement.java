package dev.replog.cli.e2e;

import dev.replog.schemas.LogFormat;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Not a test (surefire's patterns leave it out): bytes per bench insert row as the broker stores them
 * (compressed batches, watermarks and transaction markers included) in each log format. Run it by hand:
 * {@code ./mvnw -o verify -pl cli -am -Dtest=LogBytesMeasurement -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class LogBytesMeasurement {

    private static final TableId TABLE = new TableId("public", "bench_insert");
    private static final int ROWS = Integer.getInteger("replog.measure.rows", 20_000);
    private static final int PER_TRANSACTION = 1000;

    @Test
    void bytesPerRowInBothFormats() throws Exception {
        for (LogFormat format : LogFormat.values()) {
            try (Replication r = new Replication("bytes_" + format, 1, List.of(TABLE))) {
                r.logFormat(format);
                r.leader("CREATE TABLE bench_insert (id bigint PRIMARY KEY, account integer NOT NULL, amount numeric(12,2) NOT NULL, "
                        + "note text, created_at timestamptz NOT NULL)");
                r.startCapture();
                for (int from = 1; from <= ROWS; from += PER_TRANSACTION) {
                    r.leader("INSERT INTO bench_insert SELECT g, g % 1000, (g % 100000) / 100.0, 'row ' || g || ' written by replog bench', "
                            + "now() FROM generate_series(" + from + ", " + (from + PER_TRANSACTION - 1) + ") g");
                }
                String topic = r.topics().forTable(TABLE);
                Await.until(ROWS + " rows in " + topic, Duration.ofSeconds(120), () -> r.records(topic, "read_committed") >= ROWS);
                r.stopCapture();
                Map<String, Long> sizes = sizes(r, List.of(topic, r.topics().transactions(), r.topics().schemas()));
                System.out.printf("log.format=%s, %d rows: table topic %d bytes (%.1f per row), transactions %d bytes (%.1f per row), "
                                + "schemas %d bytes%n", format, ROWS, sizes.get(topic), sizes.get(topic) / (double) ROWS,
                        sizes.get(r.topics().transactions()), sizes.get(r.topics().transactions()) / (double) ROWS,
                        sizes.getOrDefault(r.topics().schemas(), 0L));
            }
        }
    }

    private static Map<String, Long> sizes(Replication r, List<String> topics) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        try (Admin admin = Admin.create(r.kafka().clientConfig())) {
            var brokers = admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList();
            for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
                for (LogDirDescription d : dirs.values()) {
                    d.replicaInfos().forEach((tp, info) -> {
                        if (topics.contains(tp.topic())) {
                            out.merge(tp.topic(), info.size(), Long::sum);
                        }
                    });
                }
            }
        }
        return out;
    }
}
