package dev.replog.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.replog.embedded.PostgresServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class TestServersTest {

    @Test
    void sharesOneSetOfServersPerJvm() {
        TestServers servers = TestServers.get();
        assertSame(servers, TestServers.get());
        assertNotEquals(servers.leader().port(), servers.follower().port());
        assertEquals("logical", Sql.queryRows(servers.follower().jdbcUrl(), "SHOW wal_level").get(0).get(0));
        assertTrue(servers.kafka().bootstrapServers().startsWith("127.0.0.1:"));
    }

    @Test
    void freshDatabasesAreDistinctAndUsable() {
        PostgresServer leader = TestServers.get().leader();
        String first = TestDatabase.fresh(leader, "Orders-Test");
        String second = TestDatabase.fresh(leader, "Orders-Test");
        assertNotEquals(first, second);
        assertTrue(first.matches("orders_test_[0-9]+"), first);

        String url = leader.jdbcUrl(first);
        Sql.execute(url,
                "CREATE TABLE public.item (id int PRIMARY KEY, name text, price numeric(10,2))",
                "INSERT INTO public.item VALUES (2, 'b', 1.50), (1, NULL, 10)");
        assertEquals(2, Sql.queryForLong(url, "SELECT count(*) FROM public.item"));
        assertEquals(List.of(List.of("1", "10.00"), List.of("2", "1.50")),
                Sql.queryRows(url, "SELECT id, price FROM public.item ORDER BY id"));
        assertEquals(List.of(Arrays.asList("1", null, "10.00"), List.of("2", "b", "1.50")),
                TableContents.of(url, "public.item", "id"));
        assertEquals(0, Sql.queryForLong(leader.jdbcUrl(second), "SELECT count(*) FROM pg_tables WHERE tablename = 'item'"));
    }

    @Test
    void awaitReturnsOnceTrueAndReportsTimeouts() {
        AtomicInteger polls = new AtomicInteger();
        Await.until("third poll", Duration.ofSeconds(5), () -> polls.incrementAndGet() >= 3);
        assertEquals(3, polls.get());

        AssertionError timedOut = assertThrows(AssertionError.class,
                () -> Await.until("never", Duration.ofMillis(200), () -> {
                    throw new IllegalStateException("still broken");
                }));
        assertTrue(timedOut.getMessage().contains("never"), timedOut.getMessage());
        assertEquals("still broken", timedOut.getCause().getMessage());

        AssertionFailedError differs = assertThrows(AssertionFailedError.class,
                () -> Await.untilEquals("equal", Duration.ofMillis(200), () -> 1, () -> 2));
        assertEquals(1, differs.getExpected().getValue());
        assertEquals(2, differs.getActual().getValue());
    }
}
