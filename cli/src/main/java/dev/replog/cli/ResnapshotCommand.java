package dev.replog.cli;

import dev.replog.capture.CaptureSettings;
import dev.replog.capture.CopyRequests;
import dev.replog.cli.config.ConfigException;
import dev.replog.cli.config.ConfigKey;
import dev.replog.cli.config.ReplogConfig;
import dev.replog.cli.config.Settings;
import dev.replog.schemas.SqlIdentifiers;
import dev.replog.schemas.TableId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code replog resnapshot --config F --table T [--table T2]}: copies captured tables into the log again. */
@Command(name = "resnapshot", description = {
        "Copy every row of captured tables into the log again, through capture (an incremental snapshot: chunks read "
                + "with plain SELECTs while streaming goes on, no table lock). Followers upsert the copied rows; rows only "
                + "a follower has stay (replog verify shows them).",
        "If capture is not running, the request waits in the leader's WAL and the copy runs when capture next streams.",
        "Exit code: 0 requested, 1 leader unreachable or no slot, 2 a table is not captured (nothing is requested then)."})
final class ResnapshotCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "Capture's configuration file (Java properties).")
    Path config;

    @Option(names = "--table", required = true, description = "A captured table, schema.table as in capture.tables; repeat for more.")
    List<String> tables;

    @Override
    public Integer call() {
        CaptureSettings s = Settings.capture(ReplogConfig.load(config, Set.of(ConfigKey.Scope.CAPTURE)));
        List<TableId> wanted = new ArrayList<>();
        for (String t : tables) {
            try {
                wanted.add(TableId.parse(t));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--table '" + t + "': " + e.getMessage());
            }
        }
        CopyRequests.Outcome o = CopyRequests.request(s, wanted);
        if (!o.refused().isEmpty()) {
            o.refused().forEach(r -> System.err.println("replog: " + r));
            System.err.println("replog: no copy requested");
            return 2;
        }
        for (TableId t : o.pending()) {
            System.out.println("table " + SqlIdentifiers.quote(t) + ": capture has its copy to request already (published "
                    + "while capture runs); not requested again");
        }
        for (TableId t : o.requested()) {
            System.out.println("requested a copy of table " + SqlIdentifiers.quote(t));
        }
        if (!o.requested().isEmpty()) {
            System.out.println(o.streaming()
                    ? "capture streams from slot " + s.slotName() + ": each copy starts once it reads the request; progress in "
                            + "replog.captured_tables on the leader (copy_state, copy_rows, copy_rows_estimate; docs/snapshots.md)"
                    : "capture is not running (slot " + s.slotName() + " is inactive): the request waits in the leader's WAL and "
                            + "the copy runs when capture next streams");
        }
        return 0;
    }
}
