package dev.replog.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Where a bench writes what it printed: {@code <out>/<UTC stamp><suffix>}, e.g. {@code 20261206-081016-soak.txt}. */
public final class ResultFile {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private ResultFile() {
    }

    public static String stamp(Instant at) {
        return STAMP.format(at);
    }

    /** Writes {@code text} to {@code <dir>/<stamp of now><suffix>}, creating the directory. */
    public static Path write(Path dir, String suffix, byte[] text) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(stamp(Instant.now()) + suffix);
        Files.write(file, text);
        return file;
    }
}
