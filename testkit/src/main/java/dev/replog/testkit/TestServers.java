package dev.replog.testkit;

import dev.replog.embedded.EmbeddedStack;
import dev.replog.embedded.KafkaBroker;
import dev.replog.embedded.PostgresServer;

/**
 * One leader PostgreSQL, one follower PostgreSQL and one Kafka broker per JVM, started on first
 * use and stopped by a shutdown hook, so every test class in a surefire fork shares them.
 * Tests isolate themselves with {@link TestDatabase#fresh} and topic names of their own.
 */
public final class TestServers {

    private static TestServers instance;
    private static RuntimeException startFailure;

    private final EmbeddedStack stack;

    private TestServers(EmbeddedStack stack) {
        this.stack = stack;
    }

    /** The JVM's servers, started by the first caller. */
    public static synchronized TestServers get() {
        if (startFailure != null) {
            // Every later test class would otherwise wait through the same failed start again.
            throw new IllegalStateException("test servers failed to start earlier in this JVM", startFailure);
        }
        if (instance == null) {
            try {
                instance = new TestServers(EmbeddedStack.start("replog-test-"));
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(instance.stack::close, "test-servers-shutdown"));
        }
        return instance;
    }

    public PostgresServer leader() {
        return stack.leader();
    }

    public PostgresServer follower() {
        return stack.follower();
    }

    public KafkaBroker kafka() {
        return stack.kafka();
    }
}
