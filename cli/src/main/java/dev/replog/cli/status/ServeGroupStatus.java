package dev.replog.cli.status;

import dev.replog.schemas.Lsn;

import java.util.List;

/**
 * A serve group's state, from its {@code /v1/status?scope=group}.
 *
 * @param error      why no instance answered, else null
 * @param appliedLsn the group's applied LSN (every partition of every table has an active instance at or past it)
 * @param complete   whether every partition of every table has an active, answerable instance
 * @param instanceErrors one line per instance the answering one could not ask
 */
public record ServeGroupStatus(String name, String error, Lsn appliedLsn, boolean complete, List<Partition> partitions,
                               List<String> instanceErrors) {

    static ServeGroupStatus unreachable(String name, String error) {
        return new ServeGroupStatus(name, error, null, false, List.of(), List.of());
    }

    /**
     * One store partition held by one instance.
     *
     * @param role    {@code active} or {@code standby}
     * @param stopped why the partition stopped applying, else null
     */
    public record Partition(String table, int partition, String instance, String role, boolean answerable, Lsn appliedLsn,
                            long lagRecords, double lagSeconds, String stopped) {
    }
}
