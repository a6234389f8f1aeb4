package dev.replog.embedded;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL 17 server (Zonky's embedded binaries) on 127.0.0.1, configured for logical
 * replication, owning the directory {@code baseDir/name}.
 */
public final class PostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
    private static final String HOST = "127.0.0.1";
    private static final String SUPERUSER = "postgres";
    private static final String DEFAULT_DATABASE = "postgres";
    // sun_path is 108 bytes on Linux; the server appends "/.s.PGSQL.<port>" to the directory.
    private static final int MAX_SOCKET_DIR_LENGTH = 90;

    private final String name;
    private final Path dir;
    private final Path binaries;
    private final EmbeddedPostgres postgres;
    private final Thread shutdownHook;
    private boolean closed;

    private PostgresServer(String name, Path dir, Path binaries, EmbeddedPostgres postgres) {
        this.name = name;
        this.dir = dir;
        this.binaries = binaries;
        this.postgres = postgres;
        this.shutdownHook = new Thread(this::close, "postgres-" + name + "-shutdown");
        // The postmaster is not a child that dies with the JVM: without this hook an interrupted
        // demo or test run would leave servers running.
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a fresh server whose files all live under {@code baseDir/name}, wiping leftovers. */
    public static PostgresServer start(String name, Path baseDir) {
        Path dir = baseDir.resolve(name).toAbsolutePath();
        Path socketDir = dir.resolve("socket");
        if (socketDir.toString().length() > MAX_SOCKET_DIR_LENGTH || socketDir.toString().contains(" ")) {
            // Zonky passes server options to pg_ctl as one space-separated string, and the
            // socket path has a length limit: fail here rather than with a cryptic pg_ctl error.
            throw new IllegalArgumentException("base directory unusable for a PostgreSQL socket: " + socketDir);
        }
        Dirs.recreate(dir);
        Dirs.recreate(socketDir);
        Path log = dir.resolve("postgres.log");
        Path binaries = dir.resolve("binaries");
        long started = System.nanoTime();
        try {
            boolean seeded = PgBinaries.seed(binaries);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dir.resolve("data"))
                    .setOverrideWorkingDirectory(binaries.toFile())
                    .setPgBinaryResolver(new OwnBinaries())
                    .setCleanDataDirectory(true)
                    // We own the lifecycle (see the constructor): Zonky's hook would race ours
                    // while we delete the directory.
                    .setRegisterShutdownHook(false)
                    // initdb and server output go to a file rather than through INFO logging.
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", HOST)
                    .setServerConfig("unix_socket_directories", socketDir.toString())
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("max_replication_slots", "10")
                    // Zonky turns it off; replication tests need a commit to be a commit.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "200")
                    // The data is throwaway: losing it in an OS crash costs nothing, and
                    // skipping fsync makes commits and checkpoints much cheaper.
                    .setServerConfig("fsync", "off")
                    .start();
            PostgresServer server = new PostgresServer(name, dir, binaries, postgres);
            PgBinaries.register(binaries);
            LOG.info("PostgreSQL '{}' ready on {}:{} in {} ms ({} binaries)", name, HOST, server.port(),
                    Duration.ofNanos(System.nanoTime() - started).toMillis(), seeded ? "linked" : "unpacked");
            return server;
        } catch (IOException | RuntimeException e) {
            String tail = Dirs.tail(log, 30);
            stopOrphan(dir.resolve("data"));
            Dirs.deleteRecursively(dir);
            throw new IllegalStateException("PostgreSQL '" + name + "' did not start; last log lines:\n" + tail, e);
        }
    }

    public String name() {
        return name;
    }

    /** The postmaster's process id (from its pid file), the root of the server's processes. */
    public long pid() {
        String firstLine = Dirs.head(dir.resolve("data").resolve("postmaster.pid"));
        try {
            return Long.parseLong(firstLine.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("PostgreSQL '" + name + "' has no readable postmaster.pid: " + firstLine);
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return postgres.getPort();
    }

    public String database() {
        return DEFAULT_DATABASE;
    }

    public String user() {
        return SUPERUSER;
    }

    /** Empty: the cluster trusts every local connection (initdb -A trust). */
    public String password() {
        return "";
    }

    public String jdbcUrl() {
        return jdbcUrl(DEFAULT_DATABASE);
    }

    /** A URL that carries the user, so it alone is enough to connect. */
    public String jdbcUrl(String database) {
        String encoded = URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        return "jdbc:postgresql://" + HOST + ":" + port() + "/" + encoded + "?user=" + SUPERUSER;
    }

    public Connection connect() throws SQLException {
        return connect(DEFAULT_DATABASE);
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database));
    }

    public void createDatabase(String database) {
        String quoted = "\"" + database.replace("\"", "\"\"") + "\"";
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + quoted);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + quoted + " on " + name, e);
        }
    }

    /** Stops the server and deletes its directory; safe to call more than once, from any thread. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // Then this very call may be the hook; nothing to unregister.
        }
        PgBinaries.unregister(binaries);
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop PostgreSQL '" + name + "'", e);
        } finally {
            Dirs.deleteRecursively(dir);
        }
    }

    /**
     * Zonky can give up waiting after pg_ctl already launched the postmaster, and then returns no
     * handle to stop it: find it through its pid file instead of leaving it running.
     */
    private static void stopOrphan(Path dataDir) {
        String firstLine = Dirs.head(dataDir.resolve("postmaster.pid"));
        if (firstLine.isBlank()) {
            return;
        }
        try {
            // SIGTERM is PostgreSQL's "smart" shutdown; after a failed start no client is connected.
            ProcessHandle.of(Long.parseLong(firstLine.trim())).ifPresent(postmaster -> {
                postmaster.destroy();
                postmaster.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
            });
        } catch (NumberFormatException notAPid) {
            LOG.warn("Unexpected postmaster.pid in {}: {}", dataDir, firstLine);
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[" + name + " " + HOST + ":" + port() + "]";
    }

    /**
     * Zonky caches unpacked binaries per resolver instance, JVM-wide. With the shared default
     * resolver a second server would run the first server's binaries, and deleting the first
     * server's directory would leave the second unable to run pg_ctl stop. A resolver of its own
     * makes each server unpack into, and stop with, its own directory.
     */
    private static final class OwnBinaries implements PgBinaryResolver {
        @Override
        public InputStream getPgBinary(String system, String machineHardware) throws IOException {
            return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware);
        }
    }
}
