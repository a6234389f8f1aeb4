package dev.replog.cli.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Resolves references in configuration values, so secrets need not be written into the file:
 * {@code ${env:NAME}} is the environment variable NAME, {@code ${file:/path}} the contents of the
 * file (one trailing newline dropped), anywhere in a value (e.g. inside a JDBC URL); {@code $${}
 * is a literal {@code ${}. A reference that cannot be resolved names the key and the variable or
 * file, never a value.
 */
final class SecretReferences {

    /** Reads a referenced file. */
    interface FileReader {
        String read(Path file) throws IOException;
    }

    private final UnaryOperator<String> environment;
    private final FileReader files;

    SecretReferences(UnaryOperator<String> environment, FileReader files) {
        this.environment = environment;
        this.files = files;
    }

    /** References resolved from this process's environment and the file system. */
    static SecretReferences ofThisProcess() {
        return new SecretReferences(System::getenv, file -> Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Whether {@link #resolve} would change the value: it has a reference or an escaped one. */
    static boolean hasReference(String value) {
        return value.contains("${");
    }

    /** The value with every reference replaced. */
    String resolve(String key, String value) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            if (value.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (value.startsWith("${", i)) {
                int end = value.indexOf('}', i);
                if (end < 0) {
                    throw new ConfigException("config key '" + key + "' has a '${' without its closing '}'"
                            + " (write $${ for a literal ${)");
                }
                out.append(lookUp(key, value.substring(i + 2, end)));
                i = end + 1;
            } else {
                out.append(value.charAt(i));
                i++;
            }
        }
        return out.toString();
    }

    private String lookUp(String key, String reference) {
        if (reference.startsWith("env:")) {
            String name = reference.substring("env:".length());
            String v = name.isEmpty() ? null : environment.apply(name);
            if (v == null) {
                throw new ConfigException("config key '" + key + "' refers to environment variable '" + name
                        + "', which is not set");
            }
            return v;
        }
        if (reference.startsWith("file:")) {
            Path file = Path.of(reference.substring("file:".length()));
            try {
                String v = files.read(file);
                // Files written by `echo` or an editor end with a newline that is no part of the secret.
                return v.endsWith("\r\n") ? v.substring(0, v.length() - 2)
                        : v.endsWith("\n") ? v.substring(0, v.length() - 1) : v;
            } catch (IOException e) {
                throw new ConfigException("config key '" + key + "' refers to file '" + file + "', which cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        throw new ConfigException("config key '" + key + "' has a '${...}' that is neither ${env:NAME} nor ${file:PATH}"
                + " (write $${ for a literal ${)");
    }
}
