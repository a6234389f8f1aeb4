package dev.replog.testkit;

import dev.replog.embedded.PostgresServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The properties file of a capture and an applier run as child processes (`replog capture|apply
 * --config F`): one leader database, one follower database, the leader's database name as topic
 * prefix, slot and publication, the follower's as consumer group.
 */
public final class PipelineProperties {

    private PipelineProperties() {
    }

    /**
     * Writes the file.
     *
     * @param extra further {@code key=value} lines, e.g. a client timeout
     */
    public static Path write(Path file, String bootstrap, PostgresServer leader, String leaderDb, PostgresServer follower,
                             String followerDb, String tables, int partitions, String mode, List<String> extra) throws IOException {
        List<String> lines = captureLines(bootstrap, leader, leaderDb, tables, partitions);
        lines.addAll(List.of(
                "follower.jdbc.url=jdbc:postgresql://" + follower.host() + ":" + follower.port() + "/" + followerDb,
                "follower.user=" + follower.user(),
                "follower.sslmode=disable",
                "apply.group.id=" + followerDb,
                "apply.mode=" + mode,
                "apply.http.listen=127.0.0.1:0"));
        lines.addAll(extra);
        Files.write(file, lines);
        return file;
    }

    /**
     * The lines of the Kafka, topic, leader and capture keys alone (what capture needs, and the
     * Kafka and topic keys serve needs too), to add other keys to.
     */
    public static List<String> captureLines(String bootstrap, PostgresServer leader, String leaderDb, String tables,
                                            int partitions) {
        return new ArrayList<>(List.of(
                "kafka.bootstrap.servers=" + bootstrap,
                "topics.prefix=" + leaderDb,
                "topics.partitions=" + partitions,
                "topics.replication.factor=1",
                "leader.host=" + leader.host(),
                "leader.port=" + leader.port(),
                "leader.database=" + leaderDb,
                "leader.user=" + leader.user(),
                "leader.sslmode=disable",
                "capture.tables=" + tables,
                "capture.slot.name=" + leaderDb,
                "capture.publication.name=" + leaderDb,
                "capture.heartbeat.interval.ms=1000",
                "capture.http.listen=127.0.0.1:0", // several pipelines may run at once
                "startup.timeout.seconds=120"));
    }
}
