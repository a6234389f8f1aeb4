package dev.replog.cli;

import dev.replog.applier.ApplierSettings;
import dev.replog.applier.ApplyMode;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.applier.state.StoppedTables;
import dev.replog.schemas.TableId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code replog resume --table T [--skip]}: lets a table stopped at a poison event go on. */
@Command(name = "resume", description = "Resume a table stopped at a poison event: retry the event, or skip it with --skip.")
final class ResumeCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "Configuration file (Java properties).")
    Path config;

    @Option(names = "--table", required = true, description = "The stopped table, schema.table.")
    String table;

    @Option(names = "--skip", description = "Skip the poison event into replog.dead_letters instead of retrying it.")
    boolean skip;

    @Override
    public Integer call() {
        ApplierSettings s = FollowerCommandSupport.settings(config);
        String topic = s.topics().forTable(TableId.parse(table));
        Optional<PoisonEvent> stopped = FollowerCommandSupport.onFollower(s, c -> {
            Optional<PoisonEvent> found = StoppedTables.resume(c, topic, skip, s.mode() == ApplyMode.ROW);
            c.commit();
            return found;
        });
        if (stopped.isEmpty()) {
            System.err.println("replog: table " + table + " (topic " + topic + ") is not stopped");
            return 1;
        }
        System.out.println("resumed " + stopped.get().where() + (skip
                ? ": the event is skipped into replog.dead_letters"
                : ": the event will be applied again") + "; a running applier goes on within seconds");
        return 0;
    }
}
