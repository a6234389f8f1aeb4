package dev.replog.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds PostgreSQL's pgbench, which the embedded PostgreSQL bundle lacks. In order: an installed
 * PostgreSQL ({@code /usr/lib/postgresql/<version>/bin}, then {@code PATH}); a copy fetched by an
 * earlier run into the cache directory; fetching it now with Debian's package tools
 * ({@code apt-get download postgresql-<version>}, unpacked with {@code dpkg-deb -x} into the cache,
 * libpq5 too if the system has no libpq); and if all of that fails, the Java driver.
 */
final class PgbenchLocator {

    private static final Path SYSTEM_ROOT = Path.of("/");

    private final Path cacheDir;
    private final PrintStream out;

    PgbenchLocator(Path cacheDir, PrintStream out) {
        this.cacheDir = cacheDir;
        this.out = out;
    }

    /** {@code choice} is "auto", "java" (force the Java driver) or the path of a pgbench executable. */
    TpcbDriver locate(String choice) {
        if (choice.equals("java")) {
            return new JavaTpcb("Java TPC-B driver (chosen with --pgbench java)");
        }
        if (!choice.equals("auto")) {
            return new PgbenchBinary(Path.of(choice), "given with --pgbench");
        }
        Optional<Path> found = installed(SYSTEM_ROOT).or(PgbenchLocator::onPath);
        if (found.isPresent()) {
            return new PgbenchBinary(found.get(), "installed PostgreSQL");
        }
        Optional<Path> cached = installed(cacheDir).filter(p -> version(p).isPresent());
        if (cached.isPresent()) {
            return new PgbenchBinary(cached.get(), "fetched earlier into " + cacheDir);
        }
        try {
            Optional<Path> fetched = fetch();
            if (fetched.isPresent()) {
                return new PgbenchBinary(fetched.get(), "fetched now with apt-get download into " + cacheDir);
            }
        } catch (IOException | RuntimeException e) {
            out.println("  could not fetch pgbench: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new JavaTpcb("Java TPC-B driver: no pgbench installed and none could be fetched");
    }

    /** The newest {@code usr/lib/postgresql/<version>/bin/pgbench} under {@code root}. */
    static Optional<Path> installed(Path root) {
        Path versions = root.resolve("usr/lib/postgresql");
        if (!Files.isDirectory(versions)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(versions)) {
            return dirs.filter(d -> d.getFileName().toString().matches("\\d+"))
                    .sorted(Comparator.comparingInt((Path d) -> Integer.parseInt(d.getFileName().toString())).reversed())
                    .map(d -> d.resolve("bin/pgbench"))
                    .filter(Files::isExecutable)
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> onPath() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "pgbench");
            if (Files.isExecutable(candidate) && version(candidate).isPresent()) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** {@code pgbench --version}'s answer, or empty if it does not run (e.g. libpq missing). */
    static Optional<String> version(Path executable) {
        try {
            ProcessBuilder builder = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true);
            libraryPath(executable).ifPresent(dir -> builder.environment().put("LD_LIBRARY_PATH", dir.toString()));
            Result r = run(builder, 30);
            return r.exit == 0 ? Optional.of(r.output.trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** For a pgbench unpacked into a cache, the directory of the libpq unpacked beside it, if any. */
    static Optional<Path> libraryPath(Path executable) {
        // root/usr/lib/postgresql/<version>/bin/pgbench
        Path root = executable.toAbsolutePath();
        for (int i = 0; i < 6 && root != null; i++) {
            root = root.getParent();
        }
        if (root == null || root.equals(SYSTEM_ROOT)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> libs = Files.newDirectoryStream(root.resolve("usr/lib"), "*-linux-gnu")) {
            for (Path lib : libs) {
                if (Files.exists(lib.resolve("libpq.so.5"))) {
                    return Optional.of(lib);
                }
            }
        } catch (IOException noLibs) {
            // Then the system's libpq is used.
        }
        return Optional.empty();
    }

    private Optional<Path> fetch() throws IOException, InterruptedException {
        Files.createDirectories(cacheDir);
        Optional<String> pkg = newestServerPackage();
        if (pkg.isEmpty() && isRoot()) {
            out.println("  no PostgreSQL package known to apt; running apt-get update ...");
            run(new ProcessBuilder("apt-get", "update", "-qq"), 600);
            pkg = newestServerPackage();
        }
        if (pkg.isEmpty()) {
            return Optional.empty();
        }
        out.println("  fetching pgbench: apt-get download " + pkg.get() + " into " + cacheDir);
        unpack(pkg.get());
        Optional<Path> pgbench = installed(cacheDir);
        if (pgbench.isPresent() && version(pgbench.get()).isEmpty()) {
            // The binary is there but cannot load libpq: fetch Debian's libpq5 beside it.
            unpack("libpq5");
        }
        return pgbench.filter(p -> version(p).isPresent());
    }

    private void unpack(String pkg) throws IOException, InterruptedException {
        Result download = run(new ProcessBuilder("apt-get", "download", pkg).directory(cacheDir.toFile()), 600);
        if (download.exit != 0) {
            throw new IOException("apt-get download " + pkg + " failed: " + download.output.trim());
        }
        List<Path> debs = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(cacheDir, pkg + "_*.deb")) {
            files.forEach(debs::add);
        }
        for (Path deb : debs) {
            Result x = run(new ProcessBuilder("dpkg-deb", "-x", deb.toString(), cacheDir.toString()), 300);
            if (x.exit != 0) {
                throw new IOException("dpkg-deb -x " + deb + " failed: " + x.output.trim());
            }
            Files.delete(deb);
        }
    }

    /** The highest-numbered postgresql-NN server package apt knows about (pgbench is in it). */
    private static Optional<String> newestServerPackage() throws IOException, InterruptedException {
        Result search = run(new ProcessBuilder("apt-cache", "search", "--names-only", "^postgresql-[0-9]+$"), 60);
        return search.output.lines()
                .map(line -> line.split(" ")[0])
                .filter(name -> name.matches("postgresql-\\d+"))
                .max(Comparator.comparingInt(name -> Integer.parseInt(name.substring("postgresql-".length()))));
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private record Result(int exit, String output) {
    }

    private static Result run(ProcessBuilder builder, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = builder.redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out: " + builder.command());
        }
        return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
