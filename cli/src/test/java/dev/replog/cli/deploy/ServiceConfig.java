package dev.replog.cli.deploy;

import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ConfigKey.Scope;
import dev.replog.cli.config.ConfigKeys;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.schemas.TableId;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Replog properties file of deploy/, checked as the service that reads it would check it at start,
 * except that what values take from the environment or from files ({@code ${env:NAME}},
 * {@code ${file:/path}}, anywhere in a value) is left for the deployment to provide.
 */
record ServiceConfig(Path file, Map<String, String> values) {


    /** What the deployment provides: an environment variable or a file's contents. */
    static final Pattern REFERENCE = Pattern.compile("\\$\\{(env:[A-Za-z_][A-Za-z0-9_]*|file:/[^}]+)}");
    private static final Pattern HOST_PORT = Pattern.compile("(.+):(\\d{1,5})");

    static ServiceConfig load(Path file) {
        return new ServiceConfig(file, DeployFiles.properties(file));
    }

    /** What each service's listen key is: where its HTTP endpoints (metrics, health, serve's API) are. */
    static String listenKey(Scope service) {
        return switch (service) {
            case CAPTURE -> "capture.http.listen";
            case APPLY -> "apply.http.listen";
            case SERVE -> "serve.http.listen";
            default -> throw new IllegalArgumentException("no HTTP endpoint for " + service);
        };
    }

    /**
     * Every problem a start of these services would report (unknown or misspelt key, wrong type or
     * choice, required key missing), plus keys no service in {@code services} reads and malformed
     * references; empty if none.
     */
    List<String> problems(Set<Scope> services, boolean onlyTheirKeys) {
        List<String> problems = new ArrayList<>();
        Map<String, String> checkable = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            Optional<ConfigKey> declared = ConfigKeys.named(key);
            if (declared.isPresent() && onlyTheirKeys && declared.get().usedBy().stream().noneMatch(services::contains)) {
                problems.add(key + " is read by " + declared.get().usedBy() + ", not by " + services);
            }
            if (value.contains("${")) {
                String provided = REFERENCE.matcher(value).replaceAll("provided-by-the-deployment");
                if (provided.contains("${")) {
                    problems.add(key + "=" + value + " has a ${...} that is neither ${env:NAME} nor ${file:/absolute/path}");
                } else if (declared.isPresent() && declared.get().type() != ConfigKey.Type.STRING) {
                    problems.add(key + " takes a " + declared.get().type() + ", checked before the deployment provides: " + value);
                }
                value = provided;
            }
            checkable.put(key, value);
        });
        try {
            ReplogConfig.of(checkable, services);
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
        }
        return problems.stream().map(p -> file + ": " + p).toList();
    }

    String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new AssertionError(file + " has no " + key);
        }
        return v;
    }

    /** The value, or the key's default if the file leaves it out. */
    String getOrDefault(ConfigKey key) {
        return values.getOrDefault(key.name(), key.defaultValue());
    }

    String prefix() {
        return getOrDefault(ConfigKeys.TOPICS_PREFIX);
    }

    List<TableId> tables(ConfigKey key) {
        return TableId.parseList(get(key.name()));
    }

    /** The port of a host:port value. */
    int port(String key) {
        Matcher m = HOST_PORT.matcher(get(key));
        if (!m.matches()) {
            throw new AssertionError(file + ": " + key + " is not host:port");
        }
        return Integer.parseInt(m.group(2));
    }

    String host(String key) {
        Matcher m = HOST_PORT.matcher(get(key));
        if (!m.matches()) {
            throw new AssertionError(file + ": " + key + " is not host:port");
        }
        return m.group(1);
    }

    /** Every {@code ${file:/path}} the file refers to. */
    List<String> referencedFiles() {
        return references("file:");
    }

    /** Every {@code ${env:NAME}} the file refers to. */
    List<String> referencedEnvironment() {
        return references("env:");
    }

    private List<String> references(String kind) {
        List<String> out = new ArrayList<>();
        values.values().forEach(v -> REFERENCE.matcher(v).results().map(r -> r.group(1)).filter(r -> r.startsWith(kind))
                .forEach(r -> out.add(r.substring(kind.length()))));
        return out;
    }
}
