package dev.replog.bench.rebuild;

import dev.replog.bench.BenchFailure;
import dev.replog.bench.MachineInfo;
import dev.replog.bench.PeakMemory;
import dev.replog.bench.Poll;
import dev.replog.bench.ResultFile;
import dev.replog.embedded.ChildJvm;
import dev.replog.embedded.KafkaBrokerProcess;
import dev.replog.embedded.PostgresServer;
import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.Lsn;
import dev.replog.testkit.PipelineProperties;
import dev.replog.testkit.Sql;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * {@code replog bench --only rebuild}: how fast {@code replog follower rebuild} builds a follower from
 * the log alone. A table of {@code rows} rows is snapshotted by capture (a child JVM) into a child-JVM
 * broker and a tenth of its rows updated; then an empty follower is rebuilt with {@code --no-follow}
 * (a child JVM at the child heap), once per apply mode, and checked against the leader. Rows/s is the
 * log's change records over the rebuild's wall time, JVM start included.
 */
public final class RebuildBench {

    private static final String DATABASE = "rebuildbench";
    private static final String TABLE = "public.kv";
    private static final Duration TIMEOUT = Duration.ofHours(1);

    private RebuildBench() {
    }

    /** @return true if every rebuild ended equal to the leader */
    public static boolean run(long rows, int partitions, String heap, String mainClass, Path out, PrintStream console)
            throws Exception {
        Path dir = Files.createTempDirectory("replog-rebuild-bench-");
        console.println("rebuild: starting a leader and a follower PostgreSQL and a Kafka broker in " + dir + " ...");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream report = new PrintStream(text, true, StandardCharsets.UTF_8);
        boolean passed = true;
        try (PostgresServer leader = PostgresServer.start("leader", dir);
             PostgresServer follower = PostgresServer.start("follower", dir);
             KafkaBrokerProcess broker = KafkaBrokerProcess.start(dir)) {
            leader.createDatabase(DATABASE);
            String leaderUrl = leader.jdbcUrl(DATABASE);
            console.printf("rebuild: loading %,d rows into %s ...%n", rows, TABLE);
            Sql.execute(leaderUrl,
                    "CREATE TABLE kv (id bigint PRIMARY KEY, value bigint NOT NULL, payload text NOT NULL)",
                    "INSERT INTO kv SELECT g, 0, md5(g::text) FROM generate_series(1, " + rows + ") g");
            report.println("rebuild benchmark: " + MachineInfo.describe(
                    Sql.queryRows(leaderUrl, "SELECT version()").get(0).get(0)).summary());
            Path captureConfig = PipelineProperties.write(dir.resolve("capture.properties"), broker.bootstrapServers(), leader,
                    DATABASE, follower, "unused", TABLE, partitions, "row", List.of());
            try (ChildJvm capture = ChildJvm.start(mainClass, List.of("-XX:+ExitOnOutOfMemoryError"),
                    List.of("capture", "--config", captureConfig.toString()), heap, dir.resolve("capture.log"))) {
                console.println("rebuild: waiting until capture has snapshotted the table ...");
                // Capture logs this line once its snapshot is published and it streams.
                Poll.until("capture streams", TIMEOUT, Duration.ofSeconds(1), () -> alive(capture, "capture"),
                        () -> Files.readString(dir.resolve("capture.log")).contains("capture started:"));
                Sql.execute(leaderUrl, "UPDATE kv SET value = value + 1 WHERE id % 10 = 0");
                Lsn written = Lsn.parse(Sql.queryRows(leaderUrl, "SELECT pg_current_wal_lsn()::text").get(0).get(0));
                console.println("rebuild: waiting until the log holds the snapshot and the updates ...");
                Poll.until("the log holds every transaction up to " + written, TIMEOUT, Duration.ofSeconds(1),
                        () -> alive(capture, "capture"), () -> lastCommit(broker.bootstrapServers()).compareTo(written) >= 0);
                long records = rows + rows / 10;
                report.printf("log: %,d rows snapshotted and %,d updated (%,d change records) in %d partition(s)%n", rows,
                        rows / 10, records, partitions);
                for (String mode : List.of("row", "transactional")) {
                    passed &= rebuild(mode, records, leader, follower, broker, partitions, heap, mainClass, dir, report, console);
                }
            }
        } catch (BenchFailure e) {
            report.println("rebuild: FAILED: " + e.getMessage() + " (logs in " + dir + ")");
            passed = false;
        }
        console.print(text.toString(StandardCharsets.UTF_8));
        console.println("rebuild figures written to " + ResultFile.write(out, "-rebuild.txt", text.toByteArray())
                + "; service logs in " + dir);
        return passed;
    }

    private static boolean rebuild(String mode, long records, PostgresServer leader, PostgresServer follower,
                                   KafkaBrokerProcess broker, int partitions, String heap, String mainClass, Path dir,
                                   PrintStream report, PrintStream console) throws IOException {
        String db = "rebuilt_" + mode;
        follower.createDatabase(db);
        Path config = PipelineProperties.write(dir.resolve("rebuild-" + mode + ".properties"), broker.bootstrapServers(),
                leader, DATABASE, follower, db, TABLE, partitions, mode, List.of());
        console.printf("rebuild: rebuilding an empty %s-mode follower from the log ...%n", mode);
        Path log = dir.resolve("rebuild-" + mode + ".log");
        long started = System.nanoTime();
        long peak = 0;
        try (ChildJvm rebuild = ChildJvm.start(mainClass, List.of("-XX:+ExitOnOutOfMemoryError"),
                List.of("follower", "rebuild", "--config", config.toString(), "--no-follow"), heap, log)) {
            long deadline = started + TIMEOUT.toNanos();
            while (rebuild.isAlive()) {
                peak = Math.max(peak, PeakMemory.of(rebuild.pid()).orElse(0));
                if (System.nanoTime() > deadline) {
                    throw new BenchFailure("the " + mode + "-mode rebuild did not end within " + TIMEOUT, null);
                }
                sleep();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            if (rebuild.exitCode() != 0) {
                report.printf("%-13s FAILED: exit code %d; %s%n", mode, rebuild.exitCode(), rebuild.tail(5));
                return false;
            }
            String check = "SELECT count(*), sum(value), md5(string_agg(payload, '' ORDER BY id)) FROM kv";
            boolean equal = Sql.queryRows(leader.jdbcUrl(DATABASE), check).equals(Sql.queryRows(follower.jdbcUrl(db), check));
            report.printf("%-13s %,.0f rows/s (%,d log records in %.1f s, JVM start included), peak RSS %d MiB, follower %s%n",
                    mode, records / seconds, records, seconds, peak >> 20, equal ? "equals the leader" : "DIFFERS from the leader");
            Files.readAllLines(log).stream().filter(l -> l.startsWith("rebuilt follower")).forEach(l -> report.println("  " + l));
            return equal;
        }
    }

    /** The commit LSN of the newest transaction in the log's transactions topic (or 0/0). */
    private static Lsn lastCommit(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        TopicPartition tp = new TopicPartition(DATABASE + ".transactions", 0);
        Lsn last = Lsn.ZERO;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            c.seek(tp, Math.max(0, end - 100));
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    var h = r.headers().lastHeader(LogHeaders.LSN);
                    if (h != null) {
                        Lsn lsn = Lsn.parse(new String(h.value(), StandardCharsets.UTF_8));
                        last = lsn.isAfter(last) ? lsn : last;
                    }
                }
            }
        }
        return last;
    }

    private static void alive(ChildJvm jvm, String name) {
        if (!jvm.isAlive()) {
            throw new BenchFailure(name + " exited with code " + jvm.exitCode() + ": " + jvm.tail(5), null);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchFailure("interrupted", e);
        }
    }
}
