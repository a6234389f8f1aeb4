package dev.replog.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replog.cli.Main;
import dev.replog.schemas.Lsn;
import dev.replog.schemas.TableId;
import dev.replog.serve.client.FollowerAwait;
import dev.replog.serve.client.ReplogReadClient;
import dev.replog.testkit.Await;
import dev.replog.testkit.Sql;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Freshness of {@code replog serve} by the leader's LSN: read-your-writes with a token, monotonic
 * reads across instances, tokens on partitions nobody writes, standbys that wait rather than answer
 * old data, and semi-synchronous writes ({@code replog await}).
 */
class ServeFreshnessTest {

    private static final TableId COUNTERS = new TableId("public", "counters");
    private static final int KEYS = 30;
    private static final Duration READY = ReadReplicas.READY;

    @Test
    void readsWithTheWritersTokenSeeTheWriteAndSessionsNeverGoBackInTime() throws Exception {
        try (Replication r = new Replication("e2e_serve_fresh", 3, List.of(COUNTERS));
             ReadReplicas serve = new ReadReplicas(r, List.of(COUNTERS), 1)) {
            // Heartbeats an hour apart: only capture's watermarks can move an idle partition's LSN.
            r.captureHeartbeat(Duration.ofHours(1));
            r.leader("CREATE TABLE counters (id int PRIMARY KEY, value bigint NOT NULL)",
                    "INSERT INTO counters SELECT g, 0 FROM generate_series(1, " + KEYS + ") g");
            r.startCapture();
            serve.startGroup(3);
            Random random = new Random(7);

            // Read your writes: any instance, any key, the token of the write.
            long slowestMs = 0;
            for (int i = 1; i <= 40; i++) {
                int id = 1 + random.nextInt(KEYS);
                r.leader("UPDATE counters SET value = " + i + " WHERE id = " + id);
                String token = token(r);
                String instance = serve.addresses().get(random.nextInt(serve.addresses().size()));
                long started = System.nanoTime();
                ReadReplicas.Reply reply = serve.get(instance, "/v1/tables/public.counters/rows/" + id + "?min_lsn=" + token + "&max_wait_ms=10000");
                slowestMs = Math.max(slowestMs, (System.nanoTime() - started) / 1_000_000);
                assertEquals(200, reply.status(), reply.body().toString());
                assertEquals(Integer.toString(i), reply.body().path("row").path("value").asText(), "read of key " + id + " from " + instance);
                assertTrue(Lsn.parse(reply.lsn()).compareTo(Lsn.parse(token)) >= 0, "X-Replog-Lsn " + reply.lsn() + " < token " + token);
            }
            System.out.println("read-your-writes: slowest token read " + slowestMs + " ms");

            // A token resolves on a partition no write touched.
            int written = 1;
            int written_partition = partitionOf(serve, written);
            int idle = 2;
            while (partitionOf(serve, idle) == written_partition) {
                idle++;
            }
            r.leader("UPDATE counters SET value = value + 1 WHERE id = " + written);
            String token = token(r);
            long started = System.nanoTime();
            ReadReplicas.Reply idleRead = serve.get(serve.addresses().get(0), "/v1/tables/public.counters/rows/" + idle + "?min_lsn=" + token + "&max_wait_ms=10000");
            assertEquals(200, idleRead.status(), idleRead.body().toString());
            System.out.printf("token on an idle partition resolved in %d ms%n", (System.nanoTime() - started) / 1_000_000);

            standbysWaitForTheTokenRatherThanAnswerOldData(r, serve);
            sessionsNeverGoBackInTime(r, serve);
            writesAwaitServeGroupsAndSqlFollowers(r, serve);
        }
    }

    private static void standbysWaitForTheTokenRatherThanAnswerOldData(Replication r, ReadReplicas serve) {
        int id = 5;
        int partition = partitionOf(serve, id);
        JsonNode table = serve.get(serve.addresses().get(0), "/v1/metadata").body().path("tables").path("public.counters");
        String standby = table.path("standbys").path(Integer.toString(partition)).path(0).asText();
        assertNotEquals("", standby, "partition " + partition + " has a standby: " + table);
        Await.until("the standby of partition " + partition + " answers itself", READY,
                () -> serve.get(standby, "/v1/tables/public.counters/rows/" + id).body().path("role").asText().equals("standby"));
        for (int i = 1000; i < 1010; i++) {
            r.leader("UPDATE counters SET value = " + i + " WHERE id = " + id);
            ReadReplicas.Reply reply = serve.get(standby, "/v1/tables/public.counters/rows/" + id + "?min_lsn=" + token(r) + "&max_wait_ms=10000");
            assertEquals(200, reply.status(), reply.body().toString());
            assertEquals(Integer.toString(i), reply.body().path("row").path("value").asText(), "standby " + standby + " answered " + reply.body());
        }
        // A token the log has not reached: the standby waits it out, then says how far it is.
        Lsn ahead = new Lsn(Lsn.parse(token(r)).value() + (1L << 30));
        long started = System.nanoTime();
        ReadReplicas.Reply behind = serve.get(standby, "/v1/tables/public.counters/rows/" + id + "?min_lsn=" + ahead + "&max_wait_ms=500");
        long waitedMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(504, behind.status(), behind.body().toString());
        assertTrue(waitedMs >= 500, "answered after " + waitedMs + " ms");
        assertTrue(Lsn.parse(behind.body().path("appliedLsn").asText()).compareTo(ahead) < 0);
    }

    /** A writer keeps incrementing one key; sessions reading it from every instance never see it go down. */
    private static void sessionsNeverGoBackInTime(Replication r, ReadReplicas serve) throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            while (writing.get()) {
                r.leader("UPDATE counters SET value = value + 1 WHERE id = 9");
            }
        });
        writer.start();
        List<String> backwards = new ArrayList<>();
        // Waits long enough for a saturated 2-core machine: what is checked is order, not speed.
        try (ReplogReadClient client = ReplogReadClient.of(serve.addresses(), Duration.ofSeconds(30))) {
            ReplogReadClient.Session session = client.session();
            long lastViaClient = -1;
            long lastViaHand = -1;
            Lsn highest = Lsn.ZERO;
            for (int i = 0; i < 300; i++) {
                // The client's session, and a session by hand that asks each instance in turn.
                long viaClient = Long.parseLong(session.get("public.counters", "9").row().get("value"));
                String instance = serve.addresses().get(i % serve.addresses().size());
                ReadReplicas.Reply reply = serve.get(instance, "/v1/tables/public.counters/rows/9?max_wait_ms=30000"
                        + (highest.equals(Lsn.ZERO) ? "" : "&min_lsn=" + highest));
                long viaHand = reply.body().path("row").path("value").asLong();
                highest = Lsn.parse(reply.lsn()).compareTo(highest) > 0 ? Lsn.parse(reply.lsn()) : highest;
                if (viaClient < lastViaClient) {
                    backwards.add("client session read " + i + ": " + lastViaClient + " then " + viaClient);
                }
                if (viaHand < lastViaHand) {
                    backwards.add("read " + i + " from " + instance + ": " + lastViaHand + " then " + viaHand);
                }
                lastViaClient = viaClient;
                lastViaHand = viaHand;
            }
        } finally {
            writing.set(false);
            writer.join();
        }
        assertEquals(List.of(), backwards);
    }

    private static void writesAwaitServeGroupsAndSqlFollowers(Replication r, ReadReplicas serve) throws Exception {
        r.startApplier();
        r.leader("UPDATE counters SET value = -1 WHERE id = 3");
        String token = token(r);
        try (ReplogReadClient client = ReplogReadClient.of(serve.addresses())) {
            assertTrue(client.awaitApplied(Lsn.parse(token), Duration.ofSeconds(30)), "serve group applied " + token);
        }
        Path config = Files.createTempFile("replog-await-", ".properties");
        try {
            Files.writeString(config, "await.followers=" + r.followerUrl() + ",serve:" + String.join(";", serve.addresses()) + "\n");
            assertEquals(0, Main.run("await", "--config", config.toString(), "--lsn", token, "--followers", "2", "--timeout", "60"));
            assertEquals(-1, Sql.queryForLong(r.followerUrl(), "SELECT value FROM counters WHERE id = 3"));
            Lsn ahead = new Lsn(Lsn.parse(token).value() + (1L << 30));
            assertEquals(3, Main.run("await", "--config", config.toString(), "--lsn", ahead.toString(), "--followers", "1", "--timeout", "1"));
            assertTrue(FollowerAwait.await(List.of(FollowerAwait.serveGroup(serve.addresses())), Lsn.parse(token), 1,
                    Duration.ofSeconds(5)).reached());
        } finally {
            Files.deleteIfExists(config);
        }
    }

    private static int partitionOf(ReadReplicas serve, int id) {
        return Integer.parseInt(serve.get(serve.addresses().get(0), "/v1/tables/public.counters/rows/" + id).body().path("partition").asText());
    }

    private static String token(Replication r) {
        return Sql.queryRows(r.leaderUrl(), "SELECT pg_current_wal_lsn()::text").get(0).get(0);
    }
}
