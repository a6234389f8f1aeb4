package dev.replog.cli.config;

import java.util.List;

/**
 * One configuration key, declared once: its type, default, who needs it and what it means. The
 * README's configuration reference is generated from these declarations and a test keeps them equal.
 *
 * @param defaultValue null if the key is required by the services in {@code usedBy}
 * @param choices      allowed values, empty if any value of the type is allowed
 * @param secret       never printed or logged
 */
public record ConfigKey(String name, Type type, String defaultValue, List<Scope> usedBy, List<String> choices,
                        boolean secret, String doc) {

    public enum Type { STRING, INT, LONG, TABLE_LIST, HOST_PORT_LIST }

    /** Which command reads the key. */
    public enum Scope { CAPTURE, APPLY, VERIFY, SERVE, AWAIT, STATUS }

    public boolean required() {
        return defaultValue == null;
    }
}
