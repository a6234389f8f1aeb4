/**
 * Real PostgreSQL and Kafka servers started from inside the JVM, for {@code replog demo} and tests.
 *
 * <p>Everything listens on 127.0.0.1 only, on ports chosen at start, and keeps its files under a
 * directory the caller names, which {@code close()} deletes: these servers hold throwaway data.
 */
package dev.replog.embedded;
