package dev.replog.cli.deploy;

import dev.replog.cli.config.ConfigKey.Scope;
import dev.replog.cli.config.ConfigKeys;
import dev.replog.schemas.TableId;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Replog config file of deploy/ starts: its keys exist, each is read by the service whose file it
 * is, values have the declared types and choices, and the services of one deployment agree on the log.
 */
class DeployConfigTest {

    /** deploy/replog.properties is the annotated example for every command; the others are per service. */
    private static final Path EXAMPLE = DeployFiles.deploy("replog.properties");

    @Test
    void everyConfigFileIsValidForTheServicesThatReadIt() {
        List<String> problems = new ArrayList<>();
        List<Path> files = DeployFiles.files(n -> n.endsWith(".properties"));
        for (Path file : files) {
            ServiceConfig config = ServiceConfig.load(file);
            if (file.equals(EXAMPLE)) {
                problems.addAll(config.problems(EnumSet.allOf(Scope.class), false));
            } else {
                problems.addAll(config.problems(Set.of(serviceOf(file)), true));
            }
        }
        assertTrue(files.size() >= 10, "found only " + files);
        assertEquals(List.of(), problems);
    }

    @Test
    void theServicesOfOneDeploymentShareOneLogAndServeOnlyCapturedTables() {
        Map<Path, List<Path>> byFolder = DeployFiles.files(n -> n.endsWith(".properties")).stream()
                .filter(f -> !f.equals(EXAMPLE)).collect(Collectors.groupingBy(Path::getParent, TreeMap::new, Collectors.toList()));
        assertEquals(3, byFolder.size(), "systemd, compose, k8s: " + byFolder.keySet());
        for (List<Path> files : byFolder.values()) {
            Map<Scope, ServiceConfig> services = new TreeMap<>();
            files.forEach(f -> services.put(serviceOf(f), ServiceConfig.load(f)));
            assertEquals(EnumSet.of(Scope.CAPTURE, Scope.APPLY, Scope.SERVE), services.keySet(), files.toString());
            for (ServiceConfig c : services.values()) {
                assertEquals(services.get(Scope.CAPTURE).prefix(), c.prefix(), c.file() + ": topics.prefix");
                assertEquals(services.get(Scope.CAPTURE).get("kafka.bootstrap.servers"), c.get("kafka.bootstrap.servers"), c.file().toString());
            }
            assertServedTablesAreCaptured(services.get(Scope.SERVE), services.get(Scope.CAPTURE));
        }
        ServiceConfig example = ServiceConfig.load(EXAMPLE);
        assertServedTablesAreCaptured(example, example);
    }

    private static void assertServedTablesAreCaptured(ServiceConfig serve, ServiceConfig capture) {
        List<TableId> captured = capture.tables(ConfigKeys.CAPTURE_TABLES);
        for (TableId served : serve.tables(ConfigKeys.SERVE_TABLES)) {
            assertTrue(captured.stream().anyMatch(c -> matches(c, served)),
                    serve.file() + ": serve.tables names " + served + ", which " + capture.file() + " does not capture " + captured);
        }
    }

    /** A capture.tables entry, maybe a pattern with '*', matches this table. */
    private static boolean matches(TableId entry, TableId table) {
        return glob(entry.schema()).matcher(table.schema()).matches() && glob(entry.table()).matcher(table.table()).matches();
    }

    private static Pattern glob(String s) {
        return Pattern.compile(Pattern.quote(s).replace("*", "\\E.*\\Q"));
    }

    /** capture.properties is read by capture, and so on. */
    static Scope serviceOf(Path file) {
        String name = file.getFileName().toString();
        return Scope.valueOf(name.substring(0, name.length() - ".properties".length()).toUpperCase(Locale.ROOT));
    }
}
