package dev.replog.cli.e2e;

import dev.replog.applier.ApplierService;
import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyException;
import dev.replog.applier.ApplyMode;
import dev.replog.applier.rebuild.FollowerRebuild;
import dev.replog.applier.rebuild.RebuildProgress;
import dev.replog.schemas.CompleteCopy;
import dev.replog.schemas.CompleteCopyFormat;
import dev.replog.schemas.LogHeaders;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.testkit.Await;
import dev.replog.testkit.BankWorkload;
import dev.replog.testkit.InvariantSampler;
import dev.replog.testkit.TestServers;
import dev.replog.topology.KafkaSettings;
import dev.replog.topology.TopicProvisioner;
import dev.replog.topology.TopicSettings;
import dev.replog.topology.TopologyException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A log with a finite window (docs/rebuild.md, "Retention"): capture copies every table again each
 * refresh interval and records where each copy starts, Kafka deletes what is older than the window,
 * and a follower is still rebuilt from the log alone: in row mode, in transactional mode, and as of a
 * point after every table's copy.
 */
class WindowedLogTest {

    private static final List<TableId> BANK = List.of(new TableId("public", "accounts"), new TableId("public", "ledger"));
    private static final Duration REFRESH = Duration.ofSeconds(4);
    /** Three refresh intervals: a transactional follower that lags a little on a busy machine still finds its records. */
    private static final long RETENTION_MS = 12_000;

    @Test
    void rowAndTransactionalFollowersAndAPointInTimeAreRebuiltFromTheRefreshCopiesAfterKafkaDeletedTheLogsStartAndFollowersStayExact()
            throws Exception {
        BankWorkload bank = new BankWorkload(40);
        try (Replication r = new Replication("windowed", 2, BANK);
             Admin admin = Admin.create(r.kafka().clientConfig())) {
            bank.create(r.leaderUrl());
            // Small segments, so that Kafka deletes the old ones within seconds (the active one always stays).
            List<NewTopic> topics = new ArrayList<>();
            for (TableId t : BANK) {
                topics.add(new NewTopic(r.topics().forTable(t), 2, (short) 1).configs(Map.of("cleanup.policy", "delete",
                        "retention.ms", Long.toString(RETENTION_MS), "retention.bytes", "-1", "segment.ms", "1000")));
            }
            admin.createTopics(topics).all().get();
            r.windowedLog(RETENTION_MS, REFRESH);
            r.mode(ApplyMode.TRANSACTIONAL);
            r.startCapture();
            r.startApplier();
            ApplierSettings rowFollower = r.applierSettings(r.anotherFollower("windowedrow"), r.group() + "-row")
                    .withMode(ApplyMode.ROW);
            ApplierService rowApplier = ApplierService.start(rowFollower);
            AtomicBoolean running = new AtomicBoolean(true);
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> transfers(r, bank, running));
            try (InvariantSampler sampler = InvariantSampler.start("windowed-tx", r.followerUrl(), bank.invariantCheck())) {
                List<TopicPartition> partitions = partitions(r);
                Await.until("Kafka deleted the start of every table partition, and each table has a complete copy after it",
                        Duration.ofSeconds(120), () -> rebuildable(r, admin, partitions));

                ApplierSettings rebuilt = r.applierSettings(r.anotherFollower("windowedrebuilt"), r.group() + "-rebuilt")
                        .withMode(ApplyMode.ROW);
                ApplierSettings txRebuilt = r.applierSettings(r.anotherFollower("windowedtx"), r.group() + "-tx")
                        .withMode(ApplyMode.TRANSACTIONAL);
                ApplierService following = rebuild(rebuilt, request(null, true));
                ApplierService txFollowing = rebuild(txRebuilt, request(null, true));
                // From the hand-over on, the rebuilt transactional follower shows only states the leader had.
                try (InvariantSampler rebuiltSampler = InvariantSampler.start("windowed-tx-rebuilt",
                        txRebuilt.follower().jdbcUrl(), bank.invariantCheck())) {
                    ApplyException someTables = assertThrows(ApplyException.class, () -> new FollowerRebuild(r.applierSettings(
                            r.anotherFollower("windowedtables"), r.group() + "-tables").withMode(ApplyMode.TRANSACTIONAL),
                            new FollowerRebuild.Request(List.of(BANK.get(0)), null, null, true), RebuildProgress.NONE,
                            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run());
                    assertTrue(someTables.getMessage().contains("retention.ms=" + RETENTION_MS)
                            && someTables.getMessage().contains("rebuild the whole follower"), someTables.getMessage());

                    // A point after every table's copy: exactly the leader's state then, from the copies.
                    LeaderCopy point = LeaderCopy.take(r);
                    ApplierSettings atPoint = r.applierSettings(r.anotherFollower("windowedpit"), r.group() + "-pit");
                    assertNull(rebuild(atPoint, request(point.lsn(), false)));
                    point.assertEquals(atPoint);

                    running.set(false);
                    assertTrue(writer.join() > 0, "the leader was written throughout");
                    r.awaitMatchesLeader(rebuilt.follower().jdbcUrl());
                    r.awaitMatchesLeader(txRebuilt.follower().jdbcUrl());
                    r.awaitMatchesLeader(rowFollower.follower().jdbcUrl());
                    r.awaitFollowerMatchesLeader();
                    assertTrue(rebuiltSampler.samples() > 0, rebuiltSampler.summary());
                    assertEquals(0, rebuiltSampler.violations(), "the transactional follower rebuilt from the copies showed "
                            + "a state the leader never had: " + rebuiltSampler.firstViolations());
                } finally {
                    following.close();
                    txFollowing.close();
                }
                assertTrue(sampler.samples() > 0, sampler.summary());
                assertEquals(0, sampler.violations(), "the transactional follower showed a state the leader never had: "
                        + sampler.firstViolations());
            } finally {
                running.set(false);
                rowApplier.close();
            }
        }
    }

    @Test
    void captureAcceptsAWindowOfTwiceTheRefreshIntervalAndRefusesAShorterOneACompactedOrASizeLimitedTopic() throws Exception {
        String prefix = "window" + UUID.randomUUID().toString().substring(0, 8);
        TopicSettings refreshed = new TopicSettings(1, (short) 1, 8000, true, 4000);
        try (Admin admin = Admin.create(KafkaSettings.plaintext(TestServers.get().kafka().bootstrapServers()).clientConfig())) {
            Map<String, Map<String, String>> topics = Map.of(
                    prefix + ".public.twice", Map.of("retention.ms", "8000"),
                    prefix + ".public.whole", Map.of("retention.ms", "-1"),
                    prefix + ".public.short", Map.of("retention.ms", "7999"),
                    prefix + ".public.compacted", Map.of("cleanup.policy", "compact"),
                    prefix + ".public.sized", Map.of("retention.ms", "8000", "retention.bytes", "1000000"));
            List<NewTopic> create = new ArrayList<>();
            topics.forEach((name, configs) -> create.add(new NewTopic(name, 1, (short) 1).configs(configs)));
            admin.createTopics(create).all().get();

            TopicProvisioner provisioner = new TopicProvisioner(admin, refreshed);
            assertDoesNotThrow(() -> provisioner.ensureTableTopic(prefix + ".public.twice"));
            assertDoesNotThrow(() -> provisioner.ensureTableTopic(prefix + ".public.whole"));
            for (String[] refused : List.of(new String[]{"short", "retention.ms=7999"},
                    new String[]{"compacted", "cleanup.policy=compact"}, new String[]{"sized", "retention.bytes=1000000"})) {
                String topic = prefix + ".public." + refused[0];
                TopologyException e = assertThrows(TopologyException.class, () -> provisioner.ensureTableTopic(topic));
                assertTrue(e.getMessage().contains("topic " + topic + " has " + refused[1]), e.getMessage());
            }
            // Without refresh copies, today's rule: the whole history.
            TopicProvisioner whole = new TopicProvisioner(admin, new TopicSettings(1, (short) 1, -1, true, 0));
            TopologyException e = assertThrows(TopologyException.class, () -> whole.ensureTableTopic(prefix + ".public.twice"));
            assertTrue(e.getMessage().contains("topic " + prefix + ".public.twice has retention.ms=8000"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new TopicSettings(1, (short) 1, 7999, true, 4000));
            assertThrows(IllegalArgumentException.class, () -> new TopicSettings(1, (short) 1, 8000, true, 0));
        }
    }

    /** Every partition has lost its first records, and its table's newest recorded copy starts within what is left. */
    private static boolean rebuildable(Replication r, Admin admin, List<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        partitions.forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
        Map<TopicPartition, Long> begin = new HashMap<>();
        admin.listOffsets(earliest).all().get().forEach((tp, o) -> begin.put(tp, o.offset()));
        if (begin.values().stream().anyMatch(o -> o == 0)) {
            return false;
        }
        Properties p = r.kafka().clientConfig();
        p.put("isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Map<String, CompleteCopy> copies = new HashMap<>();
            TopicPartition only = new TopicPartition(r.topics().copies(), 0);
            if (!c.listTopics().containsKey(only.topic())) {
                return false;
            }
            c.assign(List.of(only));
            c.seekToBeginning(List.of(only));
            long end = c.endOffsets(List.of(only)).get(only);
            while (c.position(only) < end) {
                for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
                    CompleteCopy copy = CompleteCopyFormat.read(rec.value());
                    copies.put(copy.topic(), copy);
                }
            }
            boolean rebuildable = partitions.stream().allMatch(tp -> copies.containsKey(tp.topic())
                    && copies.get(tp.topic()).startOffsets().get(tp.partition()) >= begin.get(tp));
            if (rebuildable) {
                partitions.forEach(tp -> assertCopyStartMarker(c, tp, copies.get(tp.topic())));
            }
            return rebuildable;
        }
    }

    /** The recorded start of a copy is its marker: a watermark carrying the copy's id. */
    private static void assertCopyStartMarker(KafkaConsumer<byte[], byte[]> c, TopicPartition tp, CompleteCopy copy) {
        long at = copy.startOffsets().get(tp.partition());
        c.assign(List.of(tp));
        c.seek(tp, at);
        ConsumerRecord<byte[], byte[]> first = null;
        for (int polls = 0; first == null && polls < 50; polls++) {
            first = c.poll(Duration.ofMillis(200)).records(tp).stream().findFirst().orElse(null);
        }
        assertTrue(first != null && first.offset() == at, "no record at " + tp + " offset " + at);
        assertTrue(Replication.isWatermark(first), "the copy's start in " + tp + " is not a watermark");
        Header id = first.headers().lastHeader(LogHeaders.COPY);
        assertEquals(copy.copyId(), id == null ? null : new String(id.value(), StandardCharsets.UTF_8));
    }

    private static List<TopicPartition> partitions(Replication r) {
        List<TopicPartition> out = new ArrayList<>();
        for (TableId t : BANK) {
            for (int p = 0; p < 2; p++) {
                out.add(new TopicPartition(r.topics().forTable(t), p));
            }
        }
        return out;
    }

    private static FollowerRebuild.Request request(Lsn toLsn, boolean follow) {
        return new FollowerRebuild.Request(List.of(), toLsn, null, follow);
    }

    private static ApplierService rebuild(ApplierSettings settings, FollowerRebuild.Request request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ApplierService following = new FollowerRebuild(settings, request,
                RebuildProgress.NONE, new PrintStream(out, true, StandardCharsets.UTF_8)).run();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("rebuilt public.accounts: ") && printed.contains("rows/s"), printed);
        return following;
    }

    private static long transfers(Replication r, BankWorkload bank, AtomicBoolean running) {
        try (Connection c = DriverManager.getConnection(r.leaderUrl())) {
            return bank.run(c, new Random(17), running::get, 20);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
