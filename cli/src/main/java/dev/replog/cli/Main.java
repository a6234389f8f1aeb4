package dev.replog.cli;

import dev.replog.applier.ApplyException;
import dev.replog.bench.BenchCommand;
import dev.replog.capture.CaptureException;
import dev.replog.cli.config.ConfigException;
import dev.replog.cli.demo.DemoCommand;
import dev.replog.cli.status.StatusCommand;
import dev.replog.topology.TopologyException;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import picocli.CommandLine.ScopeType;

/** The {@code replog} command. {@code --help} / {@code -h} (and {@code --version}) work on every subcommand. */
@Command(name = "replog", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "replog 0.1.0",
        description = "Kafka-backed change-data-capture replication for PostgreSQL.",
        subcommands = {DemoCommand.class, CaptureCommand.class, ApplyCommand.class, VerifyCommand.class,
                ServeCommand.class, AwaitCommand.class, StatusCommand.class, ConfigReferenceCommand.class, DeadLettersCommand.class, ResumeCommand.class,
                FollowerCommand.class, ResnapshotCommand.class})
public final class Main {

    public static void main(String[] args) {
        ProcessDeath.install();
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code: 0 ok, 1 failed, 2 bad configuration or usage. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The whole command tree, every subcommand included, ready to execute. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // The bench starts capture and applier as child JVMs running this class.
        cli.addSubcommand(new BenchCommand(Main.class.getName()));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException) {
                System.err.println("replog: configuration error:\n  " + e.getMessage().replace("\n", "\n  "));
                return 2;
            }
            if (e instanceof StartupException || e instanceof CaptureException || e instanceof ApplyException
                    || e instanceof TopologyException) {
                System.err.println("replog: error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cli;
    }
}
