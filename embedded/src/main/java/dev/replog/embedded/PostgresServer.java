package dev.replog.embedded;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
    private final PostgresServerTls tls;
    private final Thread shutdownHook;
    private boolean closed;

    private PostgresServer(String name, Path dir, Path binaries, EmbeddedPostgres postgres, PostgresServerTls tls) {
        this.name = name;
        this.dir = dir;
        this.binaries = binaries;
        this.postgres = postgres;
        this.tls = tls;
        this.shutdownHook = new Thread(this::close, "postgres-" + name + "-shutdown");
        // The postmaster is not a child that dies with the JVM: without this hook an interrupted
        // demo or test run would leave servers running.
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a fresh server whose files all live under {@code baseDir/name}, wiping leftovers. */
    public static PostgresServer start(String name, Path baseDir) {
        return start(name, baseDir, null);
    }

    /**
     * Starts a fresh server that, once this returns, accepts TCP connections only over TLS, as
     * {@code tls} says (null: plaintext, every local connection trusted). Its {@link #jdbcUrl} and
     * {@link #connect} then use the superuser's certificate.
     */
    public static PostgresServer start(String name, Path baseDir, PostgresServerTls tls) {
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
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (tls != null) {
                builder.setServerConfig("ssl", "on")
                        .setServerConfig("ssl_ca_file", tls.caCert().toAbsolutePath().toString())
                        .setServerConfig("ssl_cert_file", tls.serverCert().toAbsolutePath().toString())
                        .setServerConfig("ssl_key_file", tls.serverKey().toAbsolutePath().toString());
            }
            EmbeddedPostgres postgres = builder
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
            PostgresServer server = new PostgresServer(name, dir, binaries, postgres, tls);
            PgBinaries.register(binaries);
            if (tls != null) {
                try {
                    server.requireTls(postgres, tls);
                } catch (IOException | RuntimeException e) {
                    server.close();
                    throw e;
                }
            }
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

    /**
     * Replaces the trust-everyone pg_hba.conf that initdb wrote (Zonky's start checks the server
     * over plaintext TCP, so only now) and waits until a plaintext connection is refused.
     */
    private void requireTls(EmbeddedPostgres postgres, PostgresServerTls tls) throws IOException {
        String net = HOST + "/32";
        Files.writeString(dir.resolve("data").resolve("pg_hba.conf"), String.join("\n",
                "# written by replog's PostgresServer: TLS with a client certificate, nothing else over TCP",
                "local all all trust",
                "hostssl all " + SUPERUSER + " " + net + " cert",
                "hostssl replication " + SUPERUSER + " " + net + " cert",
                "hostssl all all " + net + " " + tls.authentication(),
                "hostssl replication all " + net + " " + tls.authentication(), ""));
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reload PostgreSQL '" + name + "' with TLS required", e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Connection plaintext = DriverManager.getConnection(plainJdbcUrl(DEFAULT_DATABASE) + "&sslmode=disable")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL '" + name + "' still accepts plaintext after its reload");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            } catch (SQLException refused) {
                return;
            }
        }
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

    /**
     * A URL that carries the user, so it alone is enough to connect; on a server that requires TLS,
     * with the superuser's certificate, verifying the server's (verify-full).
     */
    public String jdbcUrl(String database) {
        if (tls == null) {
            return plainJdbcUrl(database);
        }
        return plainJdbcUrl(database) + "&sslmode=verify-full&sslrootcert=" + tls.caCert().toAbsolutePath()
                + "&sslcert=" + tls.superuserCert().toAbsolutePath() + "&sslkey=" + tls.superuserKey().toAbsolutePath();
    }

    private String plainJdbcUrl(String database) {
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
