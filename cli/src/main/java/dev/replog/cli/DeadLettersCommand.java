package dev.replog.cli;

import dev.replog.applier.ApplierSettings;
import dev.replog.applier.deadletter.DeadLetterReplay;
import dev.replog.applier.deadletter.DeadLetterStore;
import dev.replog.applier.deadletter.PoisonEvent;
import dev.replog.schemas.TableId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code replog dead-letters list|replay}: the events a follower skipped ({@code apply.on.error=skip}). */
@Command(name = "dead-letters", description = "List or re-apply the events this follower skipped (replog.dead_letters).",
        subcommands = {DeadLettersCommand.ListCommand.class, DeadLettersCommand.ReplayCommand.class})
final class DeadLettersCommand {

    @Option(names = "--config", required = true, scope = ScopeType.INHERIT, description = "Configuration file (Java properties).")
    Path config;

    @Option(names = "--table", scope = ScopeType.INHERIT, description = "Only this table's events, schema.table.")
    String table;

    @Option(names = "--offset", scope = ScopeType.INHERIT, description = "Only the event at this Kafka offset.")
    Long offset;

    /** The table topic to filter on, or null for all. */
    String topic(ApplierSettings s) {
        return table == null ? null : s.topics().forTable(TableId.parse(table));
    }

    static String describe(PoisonEvent e) {
        return e.where() + " failed at " + e.failedAt() + ": " + e.reason();
    }

    @Command(name = "list", description = "Print one line per dead-lettered event.")
    static final class ListCommand implements Callable<Integer> {

        @ParentCommand
        DeadLettersCommand parent;

        @Override
        public Integer call() {
            ApplierSettings s = FollowerCommandSupport.settings(parent.config);
            List<PoisonEvent> events = FollowerCommandSupport.onFollower(s, c -> {
                List<PoisonEvent> found = DeadLetterStore.list(c, parent.topic(s), parent.offset);
                c.rollback();
                return found;
            });
            events.forEach(e -> System.out.println(describe(e)));
            System.out.println(events.size() + " dead-lettered event(s)");
            return 0;
        }
    }

    @Command(name = "replay", description = "Re-apply dead-lettered events to the follower (once the cause is fixed) and remove them.")
    static final class ReplayCommand implements Callable<Integer> {

        @ParentCommand
        DeadLettersCommand parent;

        @Override
        public Integer call() {
            ApplierSettings s = FollowerCommandSupport.settings(parent.config);
            List<DeadLetterReplay.Result> results = FollowerCommandSupport.onFollower(s,
                    c -> new DeadLetterReplay(s.logSchemas()).replay(c, parent.topic(s), parent.offset));
            long failed = 0;
            for (DeadLetterReplay.Result r : results) {
                if (r.replayed()) {
                    System.out.println("replayed " + r.event().where());
                } else {
                    failed++;
                    System.out.println("still failing " + r.event().where() + ": " + r.error());
                }
            }
            System.out.println((results.size() - failed) + " replayed, " + failed + " still failing");
            return failed == 0 ? 0 : 1;
        }
    }
}
