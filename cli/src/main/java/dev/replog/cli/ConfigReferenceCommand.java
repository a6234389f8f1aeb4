package dev.replog.cli;

import dev.replog.cli.config.ConfigKeys;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Prints the configuration reference, the same table as in README.md. */
@Command(name = "config-reference", description = "Print every configuration key as a Markdown table.")
final class ConfigReferenceCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.print(ConfigKeys.markdownTable());
        return 0;
    }
}
