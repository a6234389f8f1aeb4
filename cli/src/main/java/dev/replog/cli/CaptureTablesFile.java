package dev.replog.cli;

import dev.replog.cli.config.ConfigException;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ConfigKeys;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.schemas.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@code capture.tables} of a running capture's config file, read again whenever the file
 * changes (capture asks at each check of its publication). Only that key takes effect while capture
 * runs: another key changed since the start is named in one WARN line per change of the file (restart
 * capture for it). A file that no longer validates is named in one ERROR line, and the last good
 * list stays.
 */
final class CaptureTablesFile implements Supplier<List<TableId>> {

    private static final Logger log = LoggerFactory.getLogger(CaptureTablesFile.class);

    private final Path file;
    private final ReplogConfig atStart;
    private byte[] lastRead;
    private List<TableId> tables;
    private String unreadable;

    CaptureTablesFile(Path file, ReplogConfig atStart) {
        this.file = file;
        this.atStart = atStart;
        this.tables = atStart.tables(ConfigKeys.CAPTURE_TABLES);
        try {
            this.lastRead = Files.readAllBytes(file);
        } catch (IOException e) {
            this.lastRead = new byte[0];
        }
    }

    @Override
    public synchronized List<TableId> get() {
        byte[] now;
        try {
            now = Files.readAllBytes(file);
            unreadable = null;
        } catch (IOException e) {
            if (unreadable == null) {
                unreadable = String.valueOf(e.getMessage());
                log.error("cannot read config file {} ({}); capture goes on with capture.tables {}", file, unreadable, tables);
            }
            return tables;
        }
        if (Arrays.equals(now, lastRead)) {
            return tables;
        }
        lastRead = now;
        try {
            ReplogConfig c = ReplogConfig.load(file, Set.of(ConfigKey.Scope.CAPTURE));
            List<String> others = atStart.keysChangedIn(c).stream().filter(k -> !k.equals(ConfigKeys.CAPTURE_TABLES.name())).toList();
            if (!others.isEmpty()) {
                log.warn("config file {} changed {} since capture started: capture takes only capture.tables while it runs; "
                        + "restart capture for the others", file, others);
            }
            tables = c.tables(ConfigKeys.CAPTURE_TABLES);
        } catch (ConfigException e) {
            log.error("config file {} changed but is not valid ({}); capture goes on with capture.tables {}", file,
                    e.getMessage().replace("\n", "; "), tables);
        }
        return tables;
    }
}
