package dev.replog.bench;

import org.apache.kafka.common.utils.AppInfoParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the figures were measured on, recorded with them. */
public record MachineInfo(int cores, long memoryBytes, String cpu, String os, String java, String postgres, String kafka) {

    public static MachineInfo describe(String postgresVersion) {
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), memTotal(), cpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                postgresVersion, AppInfoParser.getVersion());
    }

    public String summary() {
        return String.format("%d cores, %.1f GiB RAM, %s; Java %s; %s; Kafka %s", cores, memoryBytes / (1024.0 * 1024 * 1024),
                cpu, System.getProperty("java.version"), postgres.replaceAll(" on .*", ""), kafka);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", cores);
        m.put("memoryBytes", memoryBytes);
        m.put("cpu", cpu);
        m.put("os", os);
        m.put("java", java);
        m.put("postgres", postgres);
        m.put("kafka", kafka);
        return m;
    }

    private static long memTotal() {
        String kb = field(Path.of("/proc/meminfo"), "MemTotal:");
        return kb.isEmpty() ? Runtime.getRuntime().maxMemory() : Long.parseLong(kb.split("\\s+")[0]) * 1024L;
    }

    private static String cpuModel() {
        String model = field(Path.of("/proc/cpuinfo"), "model name");
        return model.isEmpty() ? "unknown CPU" : model.replaceFirst("^\\s*:\\s*", "");
    }

    private static String field(Path file, String prefix) {
        try {
            return Files.readAllLines(file).stream().filter(l -> l.startsWith(prefix)).findFirst()
                    .map(l -> l.substring(prefix.length()).trim()).orElse("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
