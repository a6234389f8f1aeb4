package dev.replog.testkit;

import dev.replog.embedded.PostgresServer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** Per-test databases, so tests sharing {@link TestServers} never see each other's tables. */
public final class TestDatabase {

    // Leaves room for the counter within PostgreSQL's 63-byte identifier limit.
    private static final int MAX_PREFIX_LENGTH = 40;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestDatabase() {
    }

    /**
     * Creates a database named after {@code prefix} that no other test in this JVM uses, and
     * returns its name. The name is lower-case letters, digits and underscores, so it can double
     * as a replication slot or publication name.
     */
    public static String fresh(PostgresServer server, String prefix) {
        String name = sanitize(prefix) + "_" + COUNTER.incrementAndGet();
        server.createDatabase(name);
        return name;
    }

    private static String sanitize(String prefix) {
        String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (clean.isEmpty() || !Character.isLetter(clean.charAt(0))) {
            clean = "db_" + clean;
        }
        return clean.length() > MAX_PREFIX_LENGTH ? clean.substring(0, MAX_PREFIX_LENGTH) : clean;
    }
}
