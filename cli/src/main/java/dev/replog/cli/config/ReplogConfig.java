package dev.replog.cli.config;

import dev.replog.schemas.JdbcUrls;
import dev.replog.schemas.TableId;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * A validated configuration: every key known, every value of the declared type and among the
 * allowed choices, every key the command needs present. Validation happens once, at start, and
 * reports all problems at once.
 */
public final class ReplogConfig {

    private final Map<String, String> values;
    /** The values as written, references unresolved: what {@link #describe()} and errors show. */
    private final Map<String, String> written;

    private ReplogConfig(Map<String, String> values, Map<String, String> written) {
        this.values = values;
        this.written = written;
    }

    public static ReplogConfig load(Path file, Set<ConfigKey.Scope> scopes) {
        return of(read(file), scopes);
    }

    /** The file's keys and values (trimmed), references unresolved. */
    static Map<String, String> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " does not exist");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> raw = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> raw.put(k, p.getProperty(k).trim()));
        return raw;
    }

    /** A configuration from key-value pairs, references resolved from this process's environment and files. */
    public static ReplogConfig of(Map<String, String> raw, Set<ConfigKey.Scope> scopes) {
        return of(raw, scopes, SecretReferences.ofThisProcess());
    }

    static ReplogConfig of(Map<String, String> raw, Set<ConfigKey.Scope> scopes, SecretReferences references) {
        List<String> problems = new ArrayList<>();
        for (String name : new TreeMap<>(raw).keySet()) {
            if (ConfigKeys.named(name).isEmpty()) {
                problems.add("unknown config key '" + name + "'" + suggestion(name));
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> written = new LinkedHashMap<>();
        for (ConfigKey key : ConfigKeys.ALL) {
            String v = raw.get(key.name());
            boolean needed = key.usedBy().stream().anyMatch(scopes::contains);
            if (v == null || (v.isEmpty() && key.required())) {
                if (key.required() && needed) {
                    problems.add("missing config key '" + key.name() + "': " + key.doc());
                }
                v = key.defaultValue();
            }
            if (v != null) {
                written.put(key.name(), v);
                try {
                    v = references.resolve(key.name(), v);
                } catch (ConfigException e) {
                    problems.add(e.getMessage());
                    continue;
                }
                String problem = check(key, v, shown(key, written.get(key.name())));
                if (problem != null) {
                    problems.add("config key '" + key.name() + "' " + problem);
                }
                values.put(key.name(), v);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("\n", problems));
        }
        return new ReplogConfig(values, written);
    }

    /**
     * A value as it may be printed: a secret key's masked, a reference as written (its name, not
     * what it resolved to), a password in a JDBC URL masked.
     */
    private static String shown(ConfigKey key, String writtenValue) {
        if (key.secret() && !writtenValue.isEmpty()) {
            return "********";
        }
        return JdbcUrls.redact(writtenValue);
    }

    private static String check(ConfigKey key, String v, String shown) {
        if (!key.choices().isEmpty() && !key.choices().contains(v)) {
            return "is '" + shown + "' but must be one of " + key.choices();
        }
        try {
            switch (key.type()) {
                case INT -> Integer.parseInt(v);
                case LONG -> Long.parseLong(v);
                case TABLE_LIST -> TableId.parseList(v);
                case HOST_PORT_LIST -> {
                    for (String hp : v.split(",")) {
                        int colon = hp.lastIndexOf(':');
                        if (colon <= 0 || Integer.parseInt(hp.substring(colon + 1).trim()) <= 0) {
                            return "is '" + shown + "' but must be host:port[,host:port...]";
                        }
                    }
                }
                default -> {
                }
            }
        } catch (NumberFormatException e) {
            // (NumberFormatException is an IllegalArgumentException: it must be caught first.)
            return "is '" + shown + "' but must be " + (key.type() == ConfigKey.Type.HOST_PORT_LIST ? "host:port[,host:port...]" : "a whole number");
        } catch (IllegalArgumentException e) {
            return "is '" + shown + "': " + e.getMessage() + " (a name with '.', ',' or '\"' in it is written in double quotes, "
                    + "'\"' doubled: \"My.Schema\".\"we\"\"ird\")";
        }
        return null;
    }

    private static String suggestion(String unknown) {
        String best = null;
        int bestDistance = 4;
        for (ConfigKey k : ConfigKeys.ALL) {
            int d = distance(unknown, k.name());
            if (d < bestDistance) {
                best = k.name();
                bestDistance = d;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    public String string(ConfigKey key) {
        return values.get(key.name());
    }

    public int integer(ConfigKey key) {
        return Integer.parseInt(values.get(key.name()));
    }

    public long longValue(ConfigKey key) {
        return Long.parseLong(values.get(key.name()));
    }

    /** A list of tables, {@code schema.table} with SQL-style double quotes where a name needs them. */
    public List<TableId> tables(ConfigKey key) {
        return TableId.parseList(values.get(key.name()));
    }

    /** The names of the keys whose effective value differs in {@code other} (names only: values may be secrets). */
    public List<String> keysChangedIn(ReplogConfig other) {
        List<String> changed = new ArrayList<>();
        for (ConfigKey k : ConfigKeys.ALL) {
            if (!java.util.Objects.equals(values.get(k.name()), other.values.get(k.name()))) {
                changed.add(k.name());
            }
        }
        return changed;
    }

    /** The effective configuration for the log, secrets masked. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (ConfigKey k : ConfigKeys.ALL) {
            String v = written.get(k.name());
            if (v != null) {
                sb.append("  ").append(k.name()).append(" = ").append(shown(k, v)).append('\n');
            }
        }
        return sb.toString();
    }
}
