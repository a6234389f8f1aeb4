package dev.replog.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Zonky unpacks its 15 MB xz archive into every working directory, ~2.5 s of CPU per server.
 * This gives a new server's working directory hard links to the binaries a live sibling already
 * unpacked (a copy if linking fails), so only the first server of a JVM pays. Every server still
 * owns its binaries: deleting one server's directory never breaks another's pg_ctl.
 */
final class PgBinaries {

    /** Zonky creates this in an unpacked binaries directory once unpacking finished. */
    private static final String COMPLETE_MARKER = ".exists";

    /** Working directories of live servers, which hold complete binaries. Guarded by the class. */
    private static final List<Path> LIVE = new ArrayList<>();

    private PgBinaries() {
    }

    /** Fills {@code workingDir} from a live sibling; returns false if there is none (Zonky unpacks then). */
    static synchronized boolean seed(Path workingDir) {
        for (Iterator<Path> it = LIVE.iterator(); it.hasNext(); ) {
            Path source = it.next();
            if (!Files.isDirectory(source)) {
                it.remove();
                continue;
            }
            try (DirectoryStream<Path> unpacked = Files.newDirectoryStream(source,
                    dir -> Files.exists(dir.resolve(COMPLETE_MARKER)))) {
                boolean any = false;
                for (Path dir : unpacked) {
                    linkTree(dir, workingDir.resolve(dir.getFileName().toString()));
                    any = true;
                }
                if (any) {
                    return true;
                }
            } catch (IOException | UncheckedIOException e) {
                // A half-made copy without the marker is simply unpacked over by Zonky.
                Dirs.deleteRecursively(workingDir);
                return false;
            }
        }
        return false;
    }

    /** Offers a started server's binaries to later servers. */
    static synchronized void register(Path workingDir) {
        LIVE.add(workingDir);
    }

    /** Call before deleting a server's directory, so no seeding reads it half-deleted. */
    static synchronized void unregister(Path workingDir) {
        LIVE.remove(workingDir);
    }

    private static void linkTree(Path source, Path target) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(source)) {
            paths = walk.collect(Collectors.toList());
        }
        for (Path path : paths) {
            Path copy = target.resolve(source.relativize(path).toString());
            if (path.getFileName().toString().equals(COMPLETE_MARKER)) {
                continue;
            }
            if (Files.isSymbolicLink(path)) {
                Files.createSymbolicLink(copy, Files.readSymbolicLink(path));
            } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(copy);
            } else {
                linkOrCopy(path, copy);
            }
        }
        // Last, so Zonky never takes an incomplete copy for a finished one.
        Files.createFile(target.resolve(COMPLETE_MARKER));
    }

    private static void linkOrCopy(Path file, Path copy) throws IOException {
        try {
            Files.createLink(copy, file);
        } catch (IOException | UnsupportedOperationException e) {
            // Hard links fail across file systems; a copy costs ~0.5 s, still far less than unpacking.
            Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }
}
