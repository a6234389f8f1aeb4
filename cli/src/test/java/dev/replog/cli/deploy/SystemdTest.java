package dev.replog.cli.deploy;

import dev.replog.cli.config.ConfigKey.Scope;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** deploy/systemd: one unit per service, run as README says, restarted on failure, hardened, its secrets handed over. */
class SystemdTest {

    private static final Path DIR = DeployFiles.deploy("systemd");

    @Test
    void everyUnitRunsItsServiceWithItsConfigAndTheMeasuredHeapAsANonRootUser() {
        for (Scope service : List.of(Scope.CAPTURE, Scope.APPLY, Scope.SERVE)) {
            String name = service.name().toLowerCase(Locale.ROOT);
            Map<String, List<String>> unit = unit(DIR.resolve("replog-" + name + ".service"));
            assertEquals(List.of("/usr/bin/java -Xmx256m -XX:+ExitOnOutOfMemoryError -jar /opt/replog/replog.jar " + name
                    + " --config /etc/replog/" + name + ".properties"), unit.get("Service.ExecStart"));
            assertFalse(unit.getOrDefault("Service.User", List.of("root")).contains("root"), name + " runs as root");
            for (String[] required : new String[][]{{"Service.Restart", "on-failure"}, {"Service.RestartPreventExitStatus", "2"},
                    {"Service.NoNewPrivileges", "yes"}, {"Service.ProtectSystem", "strict"}, {"Service.ProtectHome", "yes"},
                    {"Service.PrivateTmp", "yes"}, {"Service.CapabilityBoundingSet", ""}, {"Install.WantedBy", "multi-user.target"},
                    {"Unit.After", "network-online.target"}}) {
                assertEquals(List.of(required[1]), unit.get(required[0]), name + ": " + required[0]);
            }
            assertTrue(unit.containsKey("Unit.Description"), name);
        }
    }

    @Test
    void everySecretAConfigReadsIsACredentialOfItsUnitAndServeKeepsItsStateInItsStateDirectory() {
        for (Scope service : List.of(Scope.CAPTURE, Scope.APPLY, Scope.SERVE)) {
            String name = service.name().toLowerCase(Locale.ROOT);
            String unitName = "replog-" + name + ".service";
            Map<String, List<String>> unit = unit(DIR.resolve(unitName));
            ServiceConfig config = ServiceConfig.load(DIR.resolve(name + ".properties"));
            Set<String> credentials = new HashSet<>();
            unit.getOrDefault("Service.LoadCredential", List.of()).forEach(c -> credentials.add(c.substring(0, c.indexOf(':'))));
            Set<String> read = new HashSet<>();
            for (String file : config.referencedFiles()) {
                String dir = "/run/credentials/" + unitName + "/";
                assertTrue(file.startsWith(dir), config.file() + " reads " + file + ", not a credential of " + unitName);
                read.add(file.substring(dir.length()));
            }
            assertEquals(credentials, read, unitName + ": credentials loaded = credentials the config reads");
            assertEquals(List.of(), config.referencedEnvironment(), "systemd hands secrets over as credentials");
        }
        ServiceConfig serve = ServiceConfig.load(DIR.resolve("serve.properties"));
        assertEquals("/var/lib/" + unit(DIR.resolve("replog-serve.service")).get("Service.StateDirectory").get(0),
                serve.get("serve.state.dir"));
    }

    /** A unit file as {@code Section.Key} to its values, in order; comments left out. */
    private static Map<String, List<String>> unit(Path file) {
        Map<String, List<String>> unit = new HashMap<>();
        String section = null;
        for (String line : DeployFiles.read(file).lines().toList()) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
                continue;
            }
            if (l.startsWith("[")) {
                section = l.substring(1, l.indexOf(']'));
                continue;
            }
            int eq = l.indexOf('=');
            assertTrue(section != null && eq > 0, file + ": " + line);
            unit.computeIfAbsent(section + "." + l.substring(0, eq), k -> new ArrayList<>()).add(l.substring(eq + 1));
        }
        return unit;
    }
}
