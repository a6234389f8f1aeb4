package dev.replog.cli.config;

/** The configuration is wrong. The message names the key and what would be right. */
public class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}
