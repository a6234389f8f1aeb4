package dev.replog.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --help} and {@code -h} print the usage of every command, subcommands of subcommands included. */
class HelpTest {

    @Test
    void everySubcommandPrintsItsUsageForHelpAndH() {
        List<List<String>> commands = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), commands);
        // demo, capture, apply, verify, config-reference, dead-letters (list, replay), resume, bench
        assertTrue(commands.size() >= 10, "commands found: " + commands);
        for (List<String> path : commands) {
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(path);
                args.add(flag);
                CommandRun o = CommandRun.of(args.toArray(String[]::new));
                String name = String.join(" ", path);
                assertEquals(0, o.code(), "replog " + name + " " + flag + " exit code; stderr: " + o.err());
                // A line of its own: other tests' background clients may log to the same stdout meanwhile.
                String usage = "Usage: replog" + (name.isEmpty() ? "" : " " + name);
                assertTrue(o.out().lines().anyMatch(l -> l.startsWith(usage)),
                        "replog " + name + " " + flag + " printed: " + o.out() + o.err());
                assertFalse(o.err().contains("Unknown option"), o.err());
            }
        }
    }

    @Test
    void helpOfACommandWithARequiredOptionDoesNotAskForIt() {
        CommandRun o = CommandRun.of("verify", "--help");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("--config"), o.out());
        assertTrue(o.err().isEmpty(), o.err());
    }

    private static void collect(CommandLine cmd, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        for (var e : cmd.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().aliases().length > 0 && !e.getKey().equals(e.getValue().getCommandName())) {
                continue;
            }
            List<String> sub = new ArrayList<>(path);
            sub.add(e.getKey());
            collect(e.getValue(), sub, out);
        }
    }
}
