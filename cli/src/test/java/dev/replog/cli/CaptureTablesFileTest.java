package dev.replog.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.schemas.TableId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A running capture takes capture.tables from its config file as it changes, and nothing else. */
class CaptureTablesFileTest {

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(CaptureTablesFile.class);

    @BeforeEach
    void listen() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void stopListening() {
        logger.detachAppender(log);
    }

    @Test
    void capturedTablesFollowTheFileAndOtherChangedKeysAreNamedOnceAsNeedingARestart() throws Exception {
        Path file = write("capture.tables=public.a", "leader.password=first secret");
        CaptureTablesFile tables = new CaptureTablesFile(file, ReplogConfig.load(file, Set.of(ConfigKey.Scope.CAPTURE)));
        assertEquals(List.of(new TableId("public", "a")), tables.get());
        assertTrue(log.list.isEmpty(), "an unchanged file says nothing");

        write("capture.tables=public.a, public.b", "leader.password=first secret");
        assertEquals(List.of(new TableId("public", "a"), new TableId("public", "b")), tables.get());
        assertTrue(log.list.isEmpty(), log.list.toString());

        write("capture.tables=public.b", "leader.password=second secret", "capture.slot.name=other");
        assertEquals(List.of(new TableId("public", "b")), tables.get());
        tables.get();
        assertEquals(1, log.list.size(), log.list.toString());
        String warning = log.list.get(0).getFormattedMessage();
        assertEquals(Level.WARN, log.list.get(0).getLevel());
        assertTrue(warning.contains("[leader.password, capture.slot.name]") && warning.contains("restart capture"), warning);
        assertTrue(!warning.contains("secret"), "a secret's value is never logged: " + warning);
    }

    @Test
    void anInvalidFileKeepsTheLastGoodTablesAndSaysWhyOnce() throws Exception {
        Path file = write("capture.tables=public.a");
        CaptureTablesFile tables = new CaptureTablesFile(file, ReplogConfig.load(file, Set.of(ConfigKey.Scope.CAPTURE)));
        write("capture.tables=public.a", "capture.tabels=public.b");
        assertEquals(List.of(new TableId("public", "a")), tables.get());
        tables.get();
        assertEquals(1, log.list.size(), log.list.toString());
        assertEquals(Level.ERROR, log.list.get(0).getLevel());
        assertTrue(log.list.get(0).getFormattedMessage().contains("unknown config key 'capture.tabels'"),
                log.list.get(0).getFormattedMessage());
    }

    private Path write(String... lines) throws Exception {
        Path file = dir.resolve("capture.properties");
        List<String> all = new java.util.ArrayList<>(List.of("kafka.bootstrap.servers=127.0.0.1:9092", "leader.host=127.0.0.1",
                "leader.database=shop", "leader.user=replog_capture"));
        all.addAll(List.of(lines));
        Files.write(file, all);
        return file;
    }
}
