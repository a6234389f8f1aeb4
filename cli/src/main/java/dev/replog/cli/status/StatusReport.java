package dev.replog.cli.status;

import java.time.Instant;
import java.util.List;

/**
 * Everything {@code replog status} found, and what it judged unhealthy.
 *
 * @param log      the log's format and schemas topic
 * @param capture  null when the configuration names no leader
 * @param problems one line per thing that is unhealthy; empty if all is
 */
public record StatusReport(Instant generatedAt, double maxLagSeconds, LogStatus log, CaptureStatus capture, List<FollowerStatus> followers,
                           List<ServeGroupStatus> serveGroups, List<String> problems) {

    /** The version of the JSON {@code --json} prints (docs/status.md); raised on any incompatible change. */
    public static final int SCHEMA = 1;

    public boolean healthy() {
        return problems.isEmpty();
    }
}
