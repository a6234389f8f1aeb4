package dev.replog.cli.deploy;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image as cli/pom.xml's profile {@code image} has Jib build it (building it needs the base
 * image from a registry, so only its configuration is checked here): the runnable jar run by a non-root
 * user with a heap that a 512 MiB memory limit makes -Xmx256m.
 */
class ImageTest {

    static final Path POM = DeployFiles.ROOT.resolve("cli/pom.xml");
    private static final String JIB = "profiles/profile/build/plugins/plugin/configuration/";
    /** The heap the services are measured with (README, "Memory and failure"). */
    static final long HEAP_MIB = 256;
    private static final Pattern MEMORY = Pattern.compile("(\\d+)(Mi|Gi|m|g)");

    @Test
    void jibBuildsTheImageEveryDeploymentRunsOnlyInProfileImage() {
        assertEquals(List.of("image"), DeployFiles.pomValues(POM, "profiles/profile/id"));
        assertEquals(List.of("com.google.cloud.tools"), DeployFiles.pomValues(POM, "profiles/profile/build/plugins/plugin/groupId"));
        assertEquals("replog:${project.version}", DeployFiles.pomValue(POM, JIB + "to/image"));
        assertTrue(DeployFiles.pomValues(POM, "build/plugins/plugin/artifactId").stream().noneMatch(a -> a.startsWith("jib")),
                "Jib stays out of the default build: it needs a registry");
        assertEquals("true", DeployFiles.pomValue(DeployFiles.ROOT.resolve("pom.xml"), "properties/jib.skip"));
        assertEquals("false", DeployFiles.pomValue(POM, "profiles/profile/properties/jib.skip"));
    }

    @Test
    void theImageRunsTheShadedJarAsANonRootUserAndDiesOnOutOfMemory() {
        List<String> entrypoint = DeployFiles.pomValues(POM, JIB + "container/entrypoint/arg");
        assertEquals("java", entrypoint.get(0));
        assertTrue(entrypoint.contains("-XX:+ExitOnOutOfMemoryError"), entrypoint.toString());
        assertEquals(List.of("-jar", "/opt/replog/" + DeployFiles.pomValue(POM, "build/finalName") + ".jar"),
                entrypoint.subList(entrypoint.size() - 2, entrypoint.size()));
        assertTrue(DeployFiles.pomValues(POM, JIB + "extraDirectories/paths/path/into").contains("/opt/replog"));
        assertTrue(DeployFiles.pomValues(POM, JIB + "extraDirectories/paths/path/includes")
                .contains(DeployFiles.pomValue(POM, "build/finalName") + ".jar"), "the image holds the runnable jar");
        String user = DeployFiles.pomValue(POM, JIB + "container/user");
        assertFalse(user.equals("root") || user.startsWith("0:") || user.equals("0"), "the image runs as " + user);
        assertEquals(HEAP_MIB, heapMibOf("512Mi"), "a 512 MiB limit gives the measured heap");
    }

    /** The ports the image exposes are the ports the services listen on. */
    static List<Integer> exposedPorts() {
        return DeployFiles.pomValues(POM, JIB + "container/ports/port").stream().map(Integer::parseInt).sorted().toList();
    }

    @Test
    void theImageExposesExactlyThePortsTheServicesListenOn() {
        List<Integer> listened = DeployFiles.files(n -> n.endsWith(".properties")).stream()
                .filter(f -> f.startsWith(DeployFiles.deploy("compose")) || f.startsWith(DeployFiles.deploy("k8s")))
                .map(f -> ServiceConfig.load(f).port(ServiceConfig.listenKey(DeployConfigTest.serviceOf(f))))
                .distinct().sorted().toList();
        assertEquals(listened, exposedPorts());
    }

    /** The heap a container with this memory limit gets from the image's -XX:MaxRAMPercentage, in MiB. */
    static long heapMibOf(String memoryLimit) {
        Matcher m = MEMORY.matcher(memoryLimit);
        assertTrue(m.matches(), "memory limit " + memoryLimit);
        long mib = Long.parseLong(m.group(1)) * (m.group(2).toLowerCase().startsWith("g") ? 1024 : 1);
        String percentage = DeployFiles.pomValues(POM, JIB + "container/entrypoint/arg").stream()
                .filter(a -> a.startsWith("-XX:MaxRAMPercentage=")).findFirst()
                .orElseThrow(() -> new AssertionError("the image's heap follows no memory limit")).split("=")[1];
        return Math.round(mib * Double.parseDouble(percentage) / 100);
    }
}
